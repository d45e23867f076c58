"""The office's whole workspace: config.toml plus the units CSV and the forms it points to,
and the office's own texts (templates/texts/ beside config.toml), installed once loaded.

Problems of all three are gathered into one list, so `baocao check` shows everything that
needs fixing at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.workspace.config import read_settings
from bot.workspace.forms_file import read_forms
from bot.workspace.overrides import check_office_texts, office_texts
from bot.workspace.problems import ConfigError, Problem, display_path
from bot.workspace.settings import Settings
from bot.workspace.units_file import read_units
from domain.forms import Form
from domain.units import Unit
from templates.catalog import use_office_texts


@dataclass(frozen=True, slots=True)
class Workspace:
    """Checked settings, units (in file order) and forms (by code) of one office."""

    settings: Settings
    units: tuple[Unit, ...]
    forms: dict[str, Form]
    # Not wrong, but worth a look: an office's text that leaves out a value the packaged
    # one shows (`baocao check` prints them).
    warnings: tuple[Problem, ...] = ()


def load_workspace(config_path: Path | str) -> Workspace:
    """Read config, units and forms; ConfigError listing the problems of all of them."""
    settings, problems = read_settings(Path(config_path))
    if settings is None:
        raise ConfigError(problems)
    base = settings.source.parent
    forms = read_forms(settings.data.forms, base)
    # A unit owing a form whose file has mistakes is not wrong: check against declared codes.
    # If no form file could be read at all, unknown forms cannot be told apart: skip that check.
    declared = forms.declared if forms.declared else None
    units, unit_problems = read_units(
        settings.data.units, display_path(settings.data.units, base), declared
    )
    text_problems, text_warnings = check_office_texts(base)
    problems = [*problems, *unit_problems, *forms.problems, *text_problems]
    if problems:
        raise ConfigError(problems)
    # The office's wording, from now on for the whole process (the bot, a command).
    use_office_texts(office_texts(base))
    return Workspace(
        settings=settings, units=units, forms=forms.forms, warnings=tuple(text_warnings)
    )
