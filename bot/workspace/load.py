"""The office's whole workspace: config.toml plus the units CSV and the forms it points to.

Problems of all three are gathered into one list, so `baocao check` shows everything that
needs fixing at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.workspace.config import read_settings
from bot.workspace.forms_file import read_forms
from bot.workspace.problems import ConfigError, display_path
from bot.workspace.settings import Settings
from bot.workspace.units_file import read_units
from domain.forms import Form
from domain.units import Unit


@dataclass(frozen=True, slots=True)
class Workspace:
    """Checked settings, units (in file order) and forms (by code) of one office."""

    settings: Settings
    units: tuple[Unit, ...]
    forms: dict[str, Form]


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
    problems = [*problems, *unit_problems, *forms.problems]
    if problems:
        raise ConfigError(problems)
    return Workspace(settings=settings, units=units, forms=forms.forms)
