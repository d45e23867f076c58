"""Every sentence users see (Vietnamese): the text catalog and the report templates."""
