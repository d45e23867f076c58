"""What a handler needs to answer one event: the office's data, the clock, a transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.calendar import office_zone
from domain.forms import Form
from domain.periods import ReportingRegime
from domain.units import Unit
from handlers.events import Reply
from storage import WriteTransaction


@dataclass(frozen=True, slots=True)
class Office:
    """The parts of the office's settings that handlers use."""

    name: str
    admins: frozenset[str]  # "channel:user_id" of office staff
    drafts_chat: str = ""
    invite_days: int = 14
    max_failed_logins: int = 5
    bot_username: str = "baocao_bot"
    # Where the bot's HTTP server is reached from outside (its dashboard under /web/); ""
    # when it has no public address (polling, no download links).
    web_url: str = ""


@dataclass(frozen=True, slots=True)
class Catalog:
    """Units and forms as configured, looked up by code."""

    units: Mapping[str, Unit]
    forms: Mapping[str, Form]
    regime: ReportingRegime

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone, the one every time a user sees is shown in."""
        return office_zone(self.regime)

    def unit_list(self) -> list[Unit]:
        """All units in their configured order."""
        return sorted(self.units.values(), key=lambda u: u.order)


@dataclass(slots=True)
class HandlerContext:
    """One event's world: configuration, the time it is handled at, and the open transaction."""

    office: Office
    catalog: Catalog
    now: datetime
    tx: WriteTransaction
    # Messages to others than the sender (e.g. the office), gathered while handling.
    notices: list[Reply] = field(default_factory=list)
    # Units the sender answers for without a focal point registration: set by the console
    # (`baocao chat --unit`), whose operator already holds the database. Empty elsewhere.
    acting_for: tuple[str, ...] = ()

    def is_office(self, channel: str, user_id: str) -> bool:
        """Whether this person is office staff."""
        return f"{channel}:{user_id}" in self.office.admins
