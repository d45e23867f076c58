"""The office's own copies of packaged files, kept beside its config so that an upgrade
never overwrites them: templates/report.docx (the Word template of the draft). Anything not
there is taken from the package."""

from __future__ import annotations

from pathlib import Path

OVERRIDES_FOLDER = "templates"
WORD_TEMPLATE = "report.docx"


def overrides_folder(config_folder: Path) -> Path:
    """Where the office keeps its own templates: templates/ next to config.toml."""
    return config_folder / OVERRIDES_FOLDER


def office_template(config_folder: Path) -> Path | None:
    """The office's Word template, if it keeps one; None: the packaged one is used."""
    path = overrides_folder(config_folder) / WORD_TEMPLATE
    return path if path.is_file() else None
