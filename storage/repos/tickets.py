"""Citizen-feedback tickets and their history (ticket_revisions, append-only)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from domain.tickets import (
    REASON_MAX,
    Ticket,
    TicketRevision,
    TicketStatus,
    as_they_stood,
    changes,
    clean_text,
)
from storage import codec
from storage.errors import NotFoundError
from storage.repos.base import Repository

# Ids per `IN (...)` list: well under SQLite's (and any other database's) parameter limit.
_CHUNK = 500

COLUMNS = (
    "id, received_on, status, channel, due_on, unit_code, unit_text, suggestion, summary, "
    "source_status, expected_on, reason, reported_at, reported_by, imported_at, updated_at, "
    "updated_by"
)
_ORDER = "ORDER BY received_on, id"
# Every reader reads the view: the version of each ticket from the latest published import
# (0008_ticket_imports.sql); an import still saving is seen by nobody.
_SHOWN = "shown_tickets"
_SELECT_ONE = f"SELECT {COLUMNS} FROM {_SHOWN} WHERE id = ?"
_SELECT_ALL = f"SELECT {COLUMNS} FROM {_SHOWN} {_ORDER}"
_SELECT_UNTIL = f"SELECT {COLUMNS} FROM {_SHOWN} WHERE received_on <= ? {_ORDER}"
_SELECT_UNMATCHED = f"SELECT {COLUMNS} FROM {_SHOWN} WHERE unit_code IS NULL {_ORDER}"
# NULL due dates compare as NULL: tickets without one are never overdue.
_OVERDUE = "status = 'in_progress' AND due_on < ?"
_COUNT_OVERDUE = f"SELECT unit_code, COUNT(*) FROM {_SHOWN} WHERE {_OVERDUE} GROUP BY unit_code"
_SELECT_OVERDUE = f"SELECT {COLUMNS} FROM {_SHOWN} WHERE {_OVERDUE} ORDER BY due_on, id"
_SELECT_OVERDUE_OF_UNIT = (
    f"SELECT {COLUMNS} FROM {_SHOWN} WHERE {_OVERDUE} AND unit_code = ? ORDER BY due_on, id"
)
_UPDATE = """
UPDATE tickets SET status = ?, unit_code = ?, suggestion = ?, expected_on = ?, reason = ?,
    reported_at = ?, reported_by = ?, updated_at = ?, updated_by = ?
WHERE id = ? AND import_id = (SELECT import_id FROM shown_tickets WHERE id = ?)
"""
_UNIT_EXISTS = "SELECT 1 FROM units WHERE code = ? AND removed_at IS NULL"

_REVISION_COLUMNS = "ticket_id, field, old_value, new_value, changed_at, changed_by, source_message"
INSERT_REVISION = (
    f"INSERT INTO ticket_revisions ({_REVISION_COLUMNS}, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
# An unpublished import's changes are hidden like its tickets.
_SHOWN_REVISION = (
    "(import_id IS NULL OR import_id IN "
    "(SELECT id FROM ticket_imports WHERE published_seq IS NOT NULL))"
)
_SELECT_REVISIONS = (
    f"SELECT {_REVISION_COLUMNS} FROM ticket_revisions "
    f"WHERE ticket_id = ? AND {_SHOWN_REVISION} ORDER BY id"
)
# Timestamps are fixed-width UTC text: text order is time order. No index on changed_at: an
# old period's figures need the changes since its end to the tickets received by then, a
# scan of a table of a few rows per ticket.
_SELECT_REVISIONS_SINCE = f"""
SELECT {_REVISION_COLUMNS} FROM ticket_revisions
WHERE changed_at >= ? AND ticket_id IN (SELECT id FROM shown_tickets WHERE received_on <= ?)
    AND {_SHOWN_REVISION}
ORDER BY id
"""


_STATUSES = {status.value: status for status in TicketStatus}


def ticket_from_row(row: sqlite3.Row) -> Ticket:
    """A ticket from a row of COLUMNS."""
    # By position, in COLUMNS' order (14 is imported_at, not kept), and the status from a
    # dict: the tickets page turns 100,000 rows into tickets, and lookups by name and
    # Enum calls cost a third of that.
    parse_date, parse_time = codec.optional_parse_date, codec.optional_parse_timestamp
    return Ticket(
        row[0],
        date.fromisoformat(row[1]),
        _STATUSES[row[2]],
        row[3],
        parse_date(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        parse_date(row[10]),
        row[11],
        parse_time(row[12]),
        row[13],
        codec.parse_timestamp(row[15]),
        row[16],
    )


# Rows turned into tickets between two turns of the event loop: 100,000 take about a second.
_CONVERTED_PER_TURN = 2000


async def _converted(rows: Sequence[sqlite3.Row]) -> list[Ticket]:
    """The rows as tickets, a slice at a time, letting the event loop run between slices."""
    tickets: list[Ticket] = []
    for start in range(0, len(rows), _CONVERTED_PER_TURN):
        if start:
            await asyncio.sleep(0)
        tickets.extend(ticket_from_row(r) for r in rows[start : start + _CONVERTED_PER_TURN])
    return tickets


def _revision(row: sqlite3.Row) -> TicketRevision:
    return TicketRevision(
        ticket_id=row["ticket_id"],
        field=row["field"],
        old_value=row["old_value"],
        new_value=row["new_value"],
        changed_at=codec.parse_timestamp(row["changed_at"]),
        changed_by=row["changed_by"],
        source_message=row["source_message"],
    )


@dataclass(frozen=True, slots=True)
class SavedImport:
    """What saving an import's rows did: ids new, updated and unchanged (in row order),
    and every ticket of the rows as stored afterwards.
    """

    new: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]
    tickets: dict[str, Ticket]


class AssignOutcome(StrEnum):
    """How an assignment of a ticket to a unit ended."""

    ASSIGNED = "assigned"
    UNCHANGED = "unchanged"  # it already was that unit's
    NO_TICKET = "no_ticket"
    NO_UNIT = "no_unit"


@dataclass(frozen=True, slots=True)
class Assignment:
    """The outcome of `assign`, the ticket afterwards (None if unknown) and its revision."""

    outcome: AssignOutcome
    ticket: Ticket | None = None
    revision: TicketRevision | None = None


class TicketsReader(Repository):
    """Reading tickets and their history."""

    __slots__ = ()

    async def get(self, ticket_id: str) -> Ticket | None:
        """The ticket with this id, or None."""
        row = await self._s.row(_SELECT_ONE, (ticket_id,))
        return None if row is None else ticket_from_row(row)

    async def all(self) -> list[Ticket]:
        """Every ticket, oldest received first."""
        return await _converted(await self._s.rows(_SELECT_ALL))

    async def received_until(
        self, last_day: date, stood_at: datetime | None = None
    ) -> list[Ticket]:
        """Tickets received on or before `last_day`, oldest first: as they stand now, or as
        they stood at `stood_at` (`domain.tickets.as_they_stood`: those imported later left
        out, later answers, assignments and re-imports undone)."""
        rows = await self._s.rows(_SELECT_UNTIL, (last_day.isoformat(),))
        tickets = await _converted(rows)
        if stood_at is None:
            return tickets
        later = await self.revisions_since(stood_at, received_until=last_day)
        return as_they_stood(tickets, later, stood_at)

    async def unmatched(self) -> list[Ticket]:
        """Tickets with no unit, waiting for the office to assign them; oldest first."""
        return await _converted(await self._s.rows(_SELECT_UNMATCHED))

    async def overdue(self, today: date, unit_code: str | None = None) -> list[Ticket]:
        """Tickets overdue on `today` (of one unit when given), longest overdue first."""
        if unit_code is None:
            rows = await self._s.rows(_SELECT_OVERDUE, (today.isoformat(),))
        else:
            rows = await self._s.rows(_SELECT_OVERDUE_OF_UNIT, (today.isoformat(), unit_code))
        return await _converted(rows)

    async def overdue_counts(self, today: date) -> dict[str | None, int]:
        """How many tickets are overdue on `today`, by unit code (None: no unit yet);
        counted by the database, for a summary of a large list."""
        rows = await self._s.rows(_COUNT_OVERDUE, (today.isoformat(),))
        return {r[0]: int(r[1]) for r in rows}

    async def revisions(self, ticket_id: str) -> list[TicketRevision]:
        """The history of a ticket, oldest change first."""
        return [_revision(r) for r in await self._s.rows(_SELECT_REVISIONS, (ticket_id,))]

    async def revisions_since(
        self, moment: datetime, received_until: date = date.max
    ) -> list[TicketRevision]:
        """The changes made at or after `moment` to the tickets received on or before
        `received_until` (all, by default), in the order they were made."""
        since = (codec.timestamp(moment), received_until.isoformat())
        return [_revision(r) for r in await self._s.rows(_SELECT_REVISIONS_SINCE, since)]

    async def many(self, ids: Sequence[str]) -> dict[str, Ticket]:
        """The shown tickets among `ids`, by id."""
        found: dict[str, Ticket] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {COLUMNS} FROM {_SHOWN} WHERE id IN ({marks})"
            found.update((r["id"], ticket_from_row(r)) for r in await self._s.rows(sql, chunk))
        return found


class TicketEdits(TicketsReader):
    """Assigning tickets to units and recording the units' answers (imports: ticket_imports)."""

    __slots__ = ()

    async def assign(
        self,
        ticket_id: str,
        unit_code: str,
        changed_by: str,
        source_message: str | None = None,
        at: datetime | None = None,
    ) -> Assignment:
        """Give a ticket (typically an unmatched one) to a unit of the units file."""
        ticket = await self.get(ticket_id)
        if ticket is None:
            return Assignment(AssignOutcome.NO_TICKET)
        if await self._s.scalar(_UNIT_EXISTS, (unit_code,)) is None:
            return Assignment(AssignOutcome.NO_UNIT, ticket)
        if ticket.unit_code == unit_code:
            return Assignment(AssignOutcome.UNCHANGED, ticket)
        saved, revisions = await self._update(
            ticket,
            replace(ticket, unit_code=unit_code, suggestion=None),
            changed_by,
            source_message,
            at,
        )
        return Assignment(AssignOutcome.ASSIGNED, saved, revisions[0])

    async def report_status(
        self,
        ticket_id: str,
        status: TicketStatus,
        changed_by: str,
        *,
        unit_code: str | None = None,
        expected_on: date | None = None,
        reason: str | None = None,
        source_message: str | None = None,
        at: datetime | None = None,
    ) -> tuple[Ticket, tuple[TicketRevision, ...]]:
        """Record a unit's answer about a ticket: handled, or in progress with an expected
        date and a reason (both optional; the reason is cleaned and cut to REASON_MAX).

        The answer is stamped as the unit's latest (`reported_at`) even when it repeats the
        previous one; only actual changes get revisions. With `unit_code`, a ticket held by
        another unit is refused like an unknown one (NotFoundError).
        """
        ticket = await self.get(ticket_id)
        if ticket is None or (unit_code is not None and ticket.unit_code != unit_code):
            raise NotFoundError(
                f"no ticket {ticket_id!r}" + (f" of {unit_code}" if unit_code else "")
            )
        when = at or self._s.now()
        note = clean_text(reason, REASON_MAX) if reason else ""
        answered = replace(
            ticket,
            status=status,
            expected_on=expected_on,
            reason=note or None,
            reported_at=codec.parse_timestamp(codec.timestamp(when)),
            reported_by=changed_by,
        )
        return await self._update(ticket, answered, changed_by, source_message, when)

    async def _update(
        self,
        before: Ticket,
        after: Ticket,
        changed_by: str,
        source_message: str | None,
        at: datetime | None,
    ) -> tuple[Ticket, tuple[TicketRevision, ...]]:
        """Write the changeable fields of `after`, with a revision per tracked change."""
        stamp = codec.timestamp(at or self._s.now())
        when = codec.parse_timestamp(stamp)
        saved = replace(after, updated_at=when, updated_by=changed_by)
        await self._s.run(
            _UPDATE,
            (
                saved.status.value,
                saved.unit_code,
                saved.suggestion,
                codec.optional_date(saved.expected_on),
                saved.reason,
                codec.optional_timestamp(saved.reported_at),
                saved.reported_by,
                stamp,
                changed_by,
                saved.id,
                saved.id,
            ),
        )
        revisions = tuple(
            TicketRevision(saved.id, name, old, new, when, changed_by, source_message)
            for name, old, new in changes(before, saved)
        )
        await self._s.run_many(
            INSERT_REVISION,
            [
                # import_id None: not an import's change
                (
                    r.ticket_id,
                    r.field,
                    r.old_value,
                    r.new_value,
                    stamp,
                    changed_by,
                    source_message,
                    None,
                )
                for r in revisions
            ],
        )
        return saved, revisions


def row_values(ticket: Ticket, imported_at: str) -> tuple[object, ...]:
    """A ticket as values in COLUMNS order."""
    assert ticket.updated_at is not None and ticket.updated_by is not None
    return (
        ticket.id,
        ticket.received_on.isoformat(),
        ticket.status.value,
        ticket.channel,
        codec.optional_date(ticket.due_on),
        ticket.unit_code,
        ticket.unit_text,
        ticket.suggestion,
        ticket.summary,
        ticket.source_status,
        codec.optional_date(ticket.expected_on),
        ticket.reason,
        codec.optional_timestamp(ticket.reported_at),
        ticket.reported_by,
        imported_at,
        codec.timestamp(ticket.updated_at),
        ticket.updated_by,
    )
