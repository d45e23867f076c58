"""A ticket export coming in: its rows read (or rejected, with the reason), merged over the
stored tickets, and the summary the office is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.ticket_figures import UnitOverdue
from domain.tickets import Ticket, TicketStatus
from domain.unit_matching import words


def status_from_text(text: str, handled_statuses: Iterable[str]) -> TicketStatus:
    """HANDLED when the export's status starts with one of `handled_statuses` (compared
    word by word, ignoring case and diacritics: "Đã xử lý xong" is "Đã xử lý", "Đang xử lý"
    is not); anything else, blank included, is still in progress.
    """
    said = words(text)
    for handled in handled_statuses:
        prefix = words(handled)
        if prefix and said[: len(prefix)] == prefix:
            return TicketStatus.HANDLED
    return TicketStatus.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class ImportedTicket:
    """One row of an export, read and matched to a unit (or not)."""

    line: int
    id: str
    received_on: date
    status: TicketStatus
    channel: str = ""
    due_on: date | None = None
    unit_text: str = ""
    unit_code: str | None = None
    suggestion: str | None = None
    summary: str = ""
    source_status: str = ""


def merge_import(current: Ticket | None, row: ImportedTicket) -> Ticket:
    """The ticket after importing `row` over what is stored.

    The export's dates, channel and summary replace the stored ones. Its status is taken
    only when the export's status text changed since the last import: re-importing an old
    export must not undo a unit's "Đã xử lý" given in chat. Likewise its unit replaces the
    stored one only when the export names another unit (or none was matched yet), so an
    assignment by the office survives re-imports of the same row.
    """
    if current is None:
        return Ticket(
            id=row.id,
            received_on=row.received_on,
            status=row.status,
            channel=row.channel,
            due_on=row.due_on,
            unit_code=row.unit_code,
            unit_text=row.unit_text,
            suggestion=None if row.unit_code else row.suggestion,
            summary=row.summary,
            source_status=row.source_status,
        )
    status = row.status if row.source_status != current.source_status else current.status
    unit_code, suggestion = current.unit_code, current.suggestion
    if row.unit_text != current.unit_text or current.unit_code is None:
        unit_code = row.unit_code
        suggestion = None if row.unit_code else row.suggestion
    return replace(
        current,
        received_on=row.received_on,
        status=status,
        channel=row.channel,
        due_on=row.due_on,
        unit_code=unit_code,
        unit_text=row.unit_text,
        suggestion=suggestion,
        summary=row.summary,
        source_status=row.source_status,
    )


class RejectReason(StrEnum):
    """Why a row of an export could not be imported."""

    MISSING_ID = "missing_id"
    ID_TOO_LONG = "id_too_long"
    DUPLICATE_ID = "duplicate_id"
    MISSING_RECEIVED = "missing_received"
    BAD_RECEIVED = "bad_received"
    BAD_DUE = "bad_due"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row left out of an import, with the reason and the offending cell."""

    line: int
    reason: RejectReason
    ticket_id: str = ""
    column: str = ""  # the header of the offending column, as the file writes it
    value: str = ""
    first_line: int | None = None  # for DUPLICATE_ID: the row that was imported


@dataclass(frozen=True, slots=True)
class UnmatchedRow:
    """A ticket of the import whose unit is unknown: kept aside until the office assigns it."""

    line: int
    ticket_id: str
    unit_text: str
    suggestion_code: str | None = None
    suggestion_name: str | None = None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, for the office: rows read, tickets new and updated, the rows
    needing attention, and the overdue tickets of every unit afterwards.

    rows_read == new + updated + unchanged + len(rejected).
    """

    file_name: str
    as_of: date
    rows_read: int
    new: int
    updated: int
    unchanged: int
    unmatched: tuple[UnmatchedRow, ...] = ()
    rejected: tuple[RejectedRow, ...] = ()
    overdue_units: tuple[UnitOverdue, ...] = ()
    unassigned_overdue: int = 0

    @property
    def overdue(self) -> int:
        """Overdue tickets in all, assigned to a unit or not."""
        return sum(u.count for u in self.overdue_units) + self.unassigned_overdue
