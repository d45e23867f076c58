"""The office's files: config, units, forms, report.toml, answers files, the starter set."""
