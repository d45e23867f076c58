"""The buttons only the office presses: status pages, the overdue tickets' overview,
confirming a reminder or a lock, assigning a ticket, removing a focal point.

Packing is handlers/button_kind.py's, reading back handlers/buttons.py's (`parse`): this module
only says what each kind holds and how its values read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.periods import Period
from handlers.button_kind import Kind, known, read_code, read_number, read_period, read_token


@dataclass(frozen=True, slots=True)
class StatusPage(Kind):
    """A page of /trangthai for a period."""

    PREFIX = "st"
    period: Period
    page: int


@dataclass(frozen=True, slots=True)
class TicketOverview(Kind):
    """A page of the office's view of overdue tickets."""

    PREFIX = "stk"
    page: int


@dataclass(frozen=True, slots=True)
class RemindConfirm(Kind):
    """The office confirms /nhacnho for a period."""

    PREFIX = "nhac"
    period: Period


@dataclass(frozen=True, slots=True)
class LockConfirm(Kind):
    """The office confirms /khoa for a period."""

    PREFIX = "khoa"
    period: Period


@dataclass(frozen=True, slots=True)
class AssignTicket(Kind):
    """Give an unmatched ticket (by its token) to the unit the import suggested."""

    PREFIX = "giao"
    token: str
    unit_code: str


@dataclass(frozen=True, slots=True)
class RemoveFocalPoint(Kind):
    """Remove a focal point (by its row id) from its unit."""

    PREFIX = "rmfp"
    focal_point_id: int


OfficeButton = (
    StatusPage | TicketOverview | RemindConfirm | LockConfirm | AssignTicket | RemoveFocalPoint
)


def _read_status(rest: str) -> OfficeButton | None:
    key, _, page_text = rest.partition(":")
    period, page = read_period(key), read_number(page_text)
    return StatusPage(period, page) if period is not None and page else None


def _read_overview(rest: str) -> OfficeButton | None:
    page = read_number(rest)
    return TicketOverview(page) if page else None


def _period_reader(kind: Callable[[Period], OfficeButton]) -> Callable[[str], OfficeButton | None]:
    """The reader of a kind whose only value is a period (remind, lock)."""

    def read(rest: str) -> OfficeButton | None:
        period = read_period(rest)
        return kind(period) if period is not None else None

    return read


def _read_assign(rest: str) -> OfficeButton | None:
    token_text, _, code_text = rest.partition(":")
    token, code = read_token(token_text), read_code(code_text)
    return AssignTicket(token, code) if token and code else None


def _read_remove(rest: str) -> OfficeButton | None:
    ident = read_number(rest)
    return RemoveFocalPoint(ident) if ident else None


# Each kind by prefix, for handlers/buttons.py's `parse`.
known(
    {
        StatusPage.PREFIX: _read_status,
        TicketOverview.PREFIX: _read_overview,
        RemindConfirm.PREFIX: _period_reader(RemindConfirm),
        LockConfirm.PREFIX: _period_reader(LockConfirm),
        AssignTicket.PREFIX: _read_assign,
        RemoveFocalPoint.PREFIX: _read_remove,
    }
)
