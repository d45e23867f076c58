"""Values of the starter config (`baocao init`) an office must change and may forget to: the
sample administrator, the sample signer, the sample drafts group. `check` and `doctor` warn
about them (a warning, not an error: a test office may run as shipped)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.workspace.settings import Settings

STARTER_PACKAGE = "bot.workspace"
STARTER_CONFIG = ("starter", "config.toml")


@dataclass(frozen=True, slots=True)
class LeftAsShipped:
    """One key of config.toml still holding the starter's sample value."""

    key: str  # as written in config.toml, e.g. "office.admins"
    value: str  # the sample value, as the starter writes it


@cache
def _starter_office() -> dict[str, Any]:
    """The [office] table of the starter config, read from the package (the one source)."""
    source = resources.files(STARTER_PACKAGE).joinpath(*STARTER_CONFIG).read_text("utf-8")
    office = tomllib.loads(source)["office"]
    assert isinstance(office, dict)
    return office


def left_as_shipped(settings: Settings) -> list[LeftAsShipped]:
    """The sample values of the starter still in `settings`, in config order."""
    shipped, office = _starter_office(), settings.office
    found = []
    if office.signer_name == shipped["signer_name"]:
        found.append(LeftAsShipped("office.signer_name", f'"{shipped["signer_name"]}"'))
    sample_admins = [a for a in office.admins if a in shipped["admins"]]
    if sample_admins:
        found.append(LeftAsShipped("office.admins", ", ".join(map(str, sample_admins))))
    if office.drafts_chat is not None and office.drafts_chat == shipped["drafts_chat"]:
        found.append(LeftAsShipped("office.drafts_chat", str(shipped["drafts_chat"])))
    return found
