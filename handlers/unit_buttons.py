"""The buttons a unit's focal point presses: giving the figures, and the unit's overdue tickets.

Packing is handlers/button_kind.py's, reading back handlers/buttons.py's (`parse`): this module
only says what each kind holds and how its values read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from domain.periods import Period
from handlers.button_kind import (
    Kind,
    known,
    read_code,
    read_member,
    read_number,
    read_period,
    read_token,
)


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


# ---------------------------------------------------------------- giving the figures


@dataclass(frozen=True, slots=True)
class StartUnit(Kind):
    """Start or resume the unit's report (under a period prompt, and the pick of a unit or of
    a period), of `period` if given and still open to the unit."""

    PREFIX = "unit"
    unit_code: str
    period: Period | None = None

    def values(self) -> tuple[str, ...]:
        """The unit's code, then the period's key if any (version 1 sent the code alone)."""
        return (self.unit_code,) if self.period is None else (self.unit_code, self.period.key)


@dataclass(frozen=True, slots=True)
class EditForm(Kind):
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
class Navigate(Kind):
    """Back, skip, pause or keep, under a question."""

    PREFIX = "nav"
    move: Move


@dataclass(frozen=True, slots=True)
class Pick(Kind):
    """One of a question's listed choices, by its number from 1."""

    PREFIX = "pick"
    number: int


@dataclass(frozen=True, slots=True)
class Explain(Kind):
    """Explain why a flagged figure is right."""

    PREFIX = "why"
    field_key: str


@dataclass(frozen=True, slots=True)
class Fix(Kind):
    """Give a flagged value again."""

    PREFIX = "fix"
    field_key: str


@dataclass(frozen=True, slots=True)
class Summary(Kind):
    """Send the report, or pick a question to change, under its summary."""

    PREFIX = "sum"
    action: SummaryAction


@dataclass(frozen=True, slots=True)
class Repeat(Kind):
    """Say which question a value equal to the one just stored before was meant for."""

    PREFIX = "rep"
    place: RepeatPlace


# ---------------------------------------------------------------- a unit's overdue tickets


@dataclass(frozen=True, slots=True)
class TicketPage(Kind):
    """A page of a unit's overdue tickets."""

    PREFIX = "tkp"
    unit_code: str
    page: int


@dataclass(frozen=True, slots=True)
class TicketHandled(Kind):
    """The unit has handled this ticket."""

    PREFIX = "tkd"
    unit_code: str
    token: str


@dataclass(frozen=True, slots=True)
class TicketInProgress(Kind):
    """The unit is still handling this ticket (an expected date is asked next)."""

    PREFIX = "tki"
    unit_code: str
    token: str


@dataclass(frozen=True, slots=True)
class TicketsAllInProgress(Kind):
    """Every ticket the unit has not answered about: still in progress."""

    PREFIX = "tka"
    unit_code: str


@dataclass(frozen=True, slots=True)
class SkipReason(Kind):
    """Leave out the reason a ticket is late."""

    PREFIX = "tks"


ObligationButton = StartUnit | EditForm | Navigate | Pick | Explain | Fix | Summary | Repeat
TicketButton = TicketPage | TicketHandled | TicketInProgress | TicketsAllInProgress | SkipReason
UnitButton = ObligationButton | TicketButton


def _read_start(rest: str) -> UnitButton | None:
    code_text, colon, key = rest.rpartition(":")
    period = read_period(key) if colon and code_text else None
    if period is not None:
        return StartUnit(code_text, period)
    code = read_code(rest)
    return StartUnit(code) if code else None


def _read_edit(rest: str) -> UnitButton | None:
    head, colon, key = rest.rpartition(":")
    period = read_period(key) if colon else None
    if period is None:
        head = rest
    code_text, _, number_text = head.rpartition(":")
    code, number = read_code(code_text), read_number(number_text)
    return EditForm(code, number, period) if code and number else None


def _read_navigate(rest: str) -> UnitButton | None:
    move = read_member(Move, rest)
    return Navigate(move) if move else None


def _read_pick(rest: str) -> UnitButton | None:
    number = read_number(rest)
    return Pick(number) if number else None


def _read_summary(rest: str) -> UnitButton | None:
    action = read_member(SummaryAction, rest)
    return Summary(action) if action else None


def _read_repeat(rest: str) -> UnitButton | None:
    place = read_member(RepeatPlace, rest)
    return Repeat(place) if place else None


def _read_ticket_page(rest: str) -> UnitButton | None:
    code_text, _, page_text = rest.rpartition(":")
    code, page = read_code(code_text), read_number(page_text)
    return TicketPage(code, page) if code and page else None


def _ticket_reader(kind: Callable[[str, str], UnitButton]) -> Callable[[str], UnitButton | None]:
    """The reader of a kind about one ticket of a unit (handled, in progress)."""

    def read(rest: str) -> UnitButton | None:
        code_text, _, token_text = rest.rpartition(":")
        code, token = read_code(code_text), read_token(token_text)
        return kind(code, token) if code and token else None

    return read


def _read_all(rest: str) -> UnitButton | None:
    code = read_code(rest)
    return TicketsAllInProgress(code) if code else None


# Each kind with values by prefix (SkipReason has none: its data is the prefix alone).
known(
    {
        StartUnit.PREFIX: _read_start,
        EditForm.PREFIX: _read_edit,
        Navigate.PREFIX: _read_navigate,
        Pick.PREFIX: _read_pick,
        Explain.PREFIX: lambda rest: Explain(rest) if rest else None,
        Fix.PREFIX: lambda rest: Fix(rest) if rest else None,
        Summary.PREFIX: _read_summary,
        Repeat.PREFIX: _read_repeat,
        TicketPage.PREFIX: _read_ticket_page,
        TicketHandled.PREFIX: _ticket_reader(TicketHandled),
        TicketInProgress.PREFIX: _ticket_reader(TicketInProgress),
        TicketsAllInProgress.PREFIX: _read_all,
    },
    bare={SkipReason.PREFIX: SkipReason()},
)
