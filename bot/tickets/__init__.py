"""Citizen-feedback tickets: reading the feedback system's export, and saving it."""
