"""The chat protocol: every kind of button the bot sends, packed into its data and read back.

Telegram returns a button's data (at most 64 bytes) when it is pressed; Zalo and the console
keep the same data behind a typed number. Each kind is a small frozen dataclass that packs
itself (refusing data over the limit, or that would not read back the same), and `parse` is
the one way back from data to a button: None for anything the bot could not have sent
(forged, malformed, or of a kind that no longer exists), which callers answer as stale.
Whether the presser may use what a button names is the handler's check, never the data's.

The wire format is the one version 1 sent ("prefix:value[:value]"), so buttons already in
chats before an upgrade keep working.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import ClassVar, TypeVar

from domain.periods import Period, parse_period
from domain.ticket_answers import TOKEN_LENGTH

# Telegram's limit on callback data, in bytes of UTF-8.
MAX_DATA_BYTES = 64
# Periods an office may name, in a button or a command: far wider than any real use, narrow
# enough that the period before and after exist (01/0001 made /mo fail on "year 0").
PERIOD_YEARS = range(2000, 2101)

_E = TypeVar("_E", bound=StrEnum)
_TOKEN = re.compile(f"[0-9a-f]{{{TOKEN_LENGTH}}}")
# Pages and row ids: positive, and below SQLite's largest integer whatever the digits.
_NUMBER = re.compile(r"[1-9][0-9]{0,17}")


class Move(StrEnum):
    """The moves under a question."""

    BACK = "back"
    SKIP = "skip"
    PAUSE = "pause"
    KEEP = "keep"


class RepeatPlace(StrEnum):
    """Which question a value sent twice is for: the earlier one again, or the current one."""

    EARLIER = "earlier"
    CURRENT = "current"


class SummaryAction(StrEnum):
    """The two choices under the summary of a report."""

    SEND = "send"
    EDIT = "edit"


@dataclass(frozen=True, slots=True)
class _Kind:
    """What every kind shares: a prefix of its own, its values as text, packing."""

    PREFIX: ClassVar[str]

    def values(self) -> tuple[str, ...]:
        """The values after the prefix: the fields in their order (a period by its key)."""
        return tuple(_wire(getattr(self, f.name)) for f in fields(self))

    def pack(self) -> str:
        """The button's data; ValueError if over Telegram's limit or not read back the same."""
        data = ":".join((self.PREFIX, *self.values()))
        if len(data.encode("utf-8")) > MAX_DATA_BYTES:
            raise ValueError(f"button data over {MAX_DATA_BYTES} bytes: {data!r}")
        if parse(data) != self:
            raise ValueError(f"button data does not read back: {data!r}")
        return data


# ---------------------------------------------------------------- giving the figures


@dataclass(frozen=True, slots=True)
class StartUnit(_Kind):
    """Start or resume the unit's report (under a period prompt, and the pick of a unit or of
    a period), of `period` if given and still open to the unit."""

    PREFIX = "unit"
    unit_code: str
    period: Period | None = None

    def values(self) -> tuple[str, ...]:
        """The unit's code, then the period's key if any (version 1 sent the code alone)."""
        return (self.unit_code,) if self.period is None else (self.unit_code, self.period.key)


@dataclass(frozen=True, slots=True)
class EditForm(_Kind):
    """Open one of the unit's forms to look at or change it (/sua among several). The form
    by its number from 1 in the office's list: a form code may be too long for the data."""

    PREFIX = "edit"
    unit_code: str
    form_number: int
    period: Period | None = None  # None: the current period (the only one open)

    def values(self) -> tuple[str, ...]:
        """The unit's code, the form's number, then the period's key if any."""
        head = (self.unit_code, str(self.form_number))
        return head if self.period is None else (*head, self.period.key)


@dataclass(frozen=True, slots=True)
class Navigate(_Kind):
    """Back, skip, pause or keep, under a question."""

    PREFIX = "nav"
    move: Move


@dataclass(frozen=True, slots=True)
class Pick(_Kind):
    """One of a question's listed choices, by its number from 1."""

    PREFIX = "pick"
    number: int


@dataclass(frozen=True, slots=True)
class Explain(_Kind):
    """Explain why a flagged figure is right."""

    PREFIX = "why"
    field_key: str


@dataclass(frozen=True, slots=True)
class Fix(_Kind):
    """Give a flagged value again."""

    PREFIX = "fix"
    field_key: str


@dataclass(frozen=True, slots=True)
class Summary(_Kind):
    """Send the report, or pick a question to change, under its summary."""

    PREFIX = "sum"
    action: SummaryAction


@dataclass(frozen=True, slots=True)
class Repeat(_Kind):
    """Say which question a value equal to the one just stored before was meant for."""

    PREFIX = "rep"
    place: RepeatPlace


# ---------------------------------------------------------------- the office


@dataclass(frozen=True, slots=True)
class StatusPage(_Kind):
    """A page of /trangthai for a period."""

    PREFIX = "st"
    period: Period
    page: int


@dataclass(frozen=True, slots=True)
class TicketOverview(_Kind):
    """A page of the office's view of overdue tickets."""

    PREFIX = "stk"
    page: int


@dataclass(frozen=True, slots=True)
class RemindConfirm(_Kind):
    """The office confirms /nhacnho for a period."""

    PREFIX = "nhac"
    period: Period


@dataclass(frozen=True, slots=True)
class LockConfirm(_Kind):
    """The office confirms /khoa for a period."""

    PREFIX = "khoa"
    period: Period


@dataclass(frozen=True, slots=True)
class AssignTicket(_Kind):
    """Give an unmatched ticket (by its token) to the unit the import suggested."""

    PREFIX = "giao"
    token: str
    unit_code: str


@dataclass(frozen=True, slots=True)
class RemoveFocalPoint(_Kind):
    """Remove a focal point (by its row id) from its unit."""

    PREFIX = "rmfp"
    focal_point_id: int


# ---------------------------------------------------------------- a unit's overdue tickets


@dataclass(frozen=True, slots=True)
class TicketPage(_Kind):
    """A page of a unit's overdue tickets."""

    PREFIX = "tkp"
    unit_code: str
    page: int


@dataclass(frozen=True, slots=True)
class TicketHandled(_Kind):
    """The unit has handled this ticket."""

    PREFIX = "tkd"
    unit_code: str
    token: str


@dataclass(frozen=True, slots=True)
class TicketInProgress(_Kind):
    """The unit is still handling this ticket (an expected date is asked next)."""

    PREFIX = "tki"
    unit_code: str
    token: str


@dataclass(frozen=True, slots=True)
class TicketsAllInProgress(_Kind):
    """Every ticket the unit has not answered about: still in progress."""

    PREFIX = "tka"
    unit_code: str


@dataclass(frozen=True, slots=True)
class SkipReason(_Kind):
    """Leave out the reason a ticket is late."""

    PREFIX = "tks"


ObligationButton = StartUnit | EditForm | Navigate | Pick | Explain | Fix | Summary | Repeat
OfficeButton = (
    StatusPage | TicketOverview | RemindConfirm | LockConfirm | AssignTicket | RemoveFocalPoint
)
TicketButton = TicketPage | TicketHandled | TicketInProgress | TicketsAllInProgress | SkipReason
Button = ObligationButton | OfficeButton | TicketButton


def parse(data: str) -> Button | None:
    """The button `data` packs; None for data the bot could not have sent."""
    prefix, colon, rest = data.partition(":")
    if not colon:
        return SkipReason() if data == SkipReason.PREFIX else None
    reader = _READERS.get(prefix)
    return reader(rest) if reader is not None else None


def _wire(value: object) -> str:
    return value.key if isinstance(value, Period) else str(value)


def _number(text: str) -> int | None:
    return int(text) if _NUMBER.fullmatch(text) else None


def _period(key: str) -> Period | None:
    try:
        period = parse_period(key)
    except ValueError:
        return None
    return period if period.year in PERIOD_YEARS else None


def _code(text: str) -> str | None:
    return text or None


def _token(text: str) -> str | None:
    return text if _TOKEN.fullmatch(text) else None


def _enum(kind: type[_E], text: str) -> _E | None:
    return next((member for member in kind if member.value == text), None)


def _read_start(rest: str) -> Button | None:
    code_text, colon, key = rest.rpartition(":")
    period = _period(key) if colon and code_text else None
    if period is not None:
        return StartUnit(code_text, period)
    code = _code(rest)
    return StartUnit(code) if code else None


def _read_edit(rest: str) -> Button | None:
    head, colon, key = rest.rpartition(":")
    period = _period(key) if colon else None
    if period is None:
        head = rest
    code_text, _, number_text = head.rpartition(":")
    code, number = _code(code_text), _number(number_text)
    return EditForm(code, number, period) if code and number else None


def _read_navigate(rest: str) -> Button | None:
    move = _enum(Move, rest)
    return Navigate(move) if move else None


def _read_pick(rest: str) -> Button | None:
    number = _number(rest)
    return Pick(number) if number else None


def _read_summary(rest: str) -> Button | None:
    action = _enum(SummaryAction, rest)
    return Summary(action) if action else None


def _read_status(rest: str) -> Button | None:
    key, _, page_text = rest.partition(":")
    period, page = _period(key), _number(page_text)
    return StatusPage(period, page) if period is not None and page else None


def _read_overview(rest: str) -> Button | None:
    page = _number(rest)
    return TicketOverview(page) if page else None


def _read_remind(rest: str) -> Button | None:
    period = _period(rest)
    return RemindConfirm(period) if period is not None else None


def _read_lock(rest: str) -> Button | None:
    period = _period(rest)
    return LockConfirm(period) if period is not None else None


def _read_assign(rest: str) -> Button | None:
    token_text, _, code_text = rest.partition(":")
    token, code = _token(token_text), _code(code_text)
    return AssignTicket(token, code) if token and code else None


def _read_remove(rest: str) -> Button | None:
    ident = _number(rest)
    return RemoveFocalPoint(ident) if ident else None


def _read_ticket_page(rest: str) -> Button | None:
    code_text, _, page_text = rest.rpartition(":")
    code, page = _code(code_text), _number(page_text)
    return TicketPage(code, page) if code and page else None


def _read_handled(rest: str) -> Button | None:
    code_text, _, token_text = rest.rpartition(":")
    code, token = _code(code_text), _token(token_text)
    return TicketHandled(code, token) if code and token else None


def _read_in_progress(rest: str) -> Button | None:
    code_text, _, token_text = rest.rpartition(":")
    code, token = _code(code_text), _token(token_text)
    return TicketInProgress(code, token) if code and token else None


def _read_all(rest: str) -> Button | None:
    code = _code(rest)
    return TicketsAllInProgress(code) if code else None


def _read_repeat(rest: str) -> Button | None:
    place = _enum(RepeatPlace, rest)
    return Repeat(place) if place else None


_READERS: dict[str, Callable[[str], Button | None]] = {
    StartUnit.PREFIX: _read_start,
    EditForm.PREFIX: _read_edit,
    Navigate.PREFIX: _read_navigate,
    Pick.PREFIX: _read_pick,
    Explain.PREFIX: lambda rest: Explain(rest) if rest else None,
    Fix.PREFIX: lambda rest: Fix(rest) if rest else None,
    Summary.PREFIX: _read_summary,
    Repeat.PREFIX: _read_repeat,
    StatusPage.PREFIX: _read_status,
    TicketOverview.PREFIX: _read_overview,
    RemindConfirm.PREFIX: _read_remind,
    LockConfirm.PREFIX: _read_lock,
    AssignTicket.PREFIX: _read_assign,
    RemoveFocalPoint.PREFIX: _read_remove,
    TicketPage.PREFIX: _read_ticket_page,
    TicketHandled.PREFIX: _read_handled,
    TicketInProgress.PREFIX: _read_in_progress,
    TicketsAllInProgress.PREFIX: _read_all,
}
"""Each kind with values, by prefix (SkipReason has none: its data is the prefix alone)."""
