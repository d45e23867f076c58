"""Citizen-feedback tickets: reading the export, saving it, the import job in chat."""
