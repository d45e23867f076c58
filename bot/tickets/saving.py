"""Saving a ticket export read by bot/tickets/reading.py: its tickets stored (new, updated or
unchanged, each change with its revision), and the summary the office is shown.

A running bot saves in batches, one short transaction each, so other people's replies are
written between them; the office sees nothing of the import until one last small
transaction publishes it (storage/repos/ticket_imports.py). A failed or cancelled import is
deleted; one cut short by a crash is deleted when the program starts again (`clear_leftovers`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from datetime import date

from bot.tickets.reading import TicketFile, read_ticket_file
from bot.workspace.settings import TicketSettings
from domain.ticket_figures import ranked_overdue
from domain.ticket_import import ImportSummary, UnmatchedRow
from domain.units import Unit
from storage import Database, WriteTransaction
from storage.repos.tickets import SavedImport

log = logging.getLogger(__name__)

# Tickets per transaction: ~0.1 s of writing each, so a reply waits at most about that long.
BATCH = 1000
# Rows deleted per transaction when an import is settled or discarded.
CLEAN_BATCH = 2000
# Runs in the transaction that publishes the import (to queue the office's reply with it).
OnPublish = Callable[[WriteTransaction, ImportSummary], Awaitable[None]]


async def import_tickets(
    tx: WriteTransaction,
    data: bytes,
    file_name: str,
    *,
    settings: TicketSettings,
    today: date,
    changed_by: str,
    units: Sequence[Unit] | None = None,
) -> ImportSummary:
    """Read an export and store its tickets in this transaction; the summary for the office.

    Units are matched against `units`, by default the units stored in the database (which
    the bot syncs from the units file when it starts). `today` is the office's day, for
    the overdue counts. TicketFileError if the file cannot be imported at all.
    """
    known = list(units) if units is not None else await tx.units.all()
    return await save_ticket_file(
        tx, read_ticket_file(data, file_name, settings, known), known, today, changed_by
    )


async def save_ticket_file(
    tx: WriteTransaction,
    parsed: TicketFile,
    units: Sequence[Unit],
    today: date,
    changed_by: str,
) -> ImportSummary:
    """Store a file read by `read_ticket_file` in this one transaction (small files, tests;
    a large file is better saved by `save_in_batches`)."""
    saved = await tx.tickets.save_imported(parsed.tickets, changed_by, parsed.file_name)
    tally = _Tally(parsed, units)
    tally.add(saved)
    return await tally.summary(tx, today)


async def save_in_batches(
    db: Database,
    parsed: TicketFile,
    units: Sequence[Unit],
    today: date,
    changed_by: str,
    on_publish: OnPublish | None = None,
    batch: int = BATCH,
) -> ImportSummary:
    """Store a file read by `read_ticket_file` a batch per transaction, shown to the office
    all at once when the last small transaction publishes it (where `on_publish` runs).
    Anything that fails before the publish leaves nothing shown and nothing stored."""
    name = parsed.file_name
    async with db.write() as tx:
        begun = await tx.tickets.begin_import(name, changed_by)
    tally = _Tally(parsed, units)
    try:
        rows = parsed.tickets
        for start in range(0, len(rows), batch):
            async with db.write() as tx:
                tally.add(
                    await tx.tickets.stage(begun, rows[start : start + batch], changed_by, name)
                )
        async with db.write() as tx:
            await tx.tickets.publish(begun, tally.lines, changed_by, name)
            summary = await tally.summary(tx, today)
            if on_publish is not None:
                await on_publish(tx, summary)
    except BaseException:
        # Shielded: a cancelled import (the bot stopping) still tries to clean up after
        # itself; whatever is left is cleared at the next start.
        await asyncio.shield(_discard_quietly(db, begun.id))
        raise
    await settle(db, begun.id)
    return summary


class _Tally:
    """The counts and unmatched rows of an import, gathered batch by batch."""

    def __init__(self, parsed: TicketFile, units: Sequence[Unit]) -> None:
        self.parsed = parsed
        self.units = units
        self.names = {u.code: u.name for u in units}
        self.lines = {row.id: row for row in parsed.tickets}  # also what publish re-merges
        self.new = self.updated = self.unchanged = 0
        self.unmatched: list[UnmatchedRow] = []

    def add(self, saved: SavedImport) -> None:
        """Count a batch's tickets; keep those without a unit for the summary."""
        self.new += len(saved.new)
        self.updated += len(saved.updated)
        self.unchanged += len(saved.unchanged)
        for ticket_id, stored in saved.tickets.items():
            if stored.unit_code is None:
                row = self.lines[ticket_id]
                self.unmatched.append(
                    UnmatchedRow(
                        line=row.line,
                        ticket_id=row.id,
                        unit_text=row.unit_text,
                        suggestion_code=stored.suggestion,
                        suggestion_name=self.names.get(stored.suggestion or ""),
                    )
                )

    async def summary(self, tx: WriteTransaction, today: date) -> ImportSummary:
        """The summary, with the overdue counts as they stand in `tx`."""
        # Counted by the database: this runs in the publishing transaction, kept short.
        counts = await tx.tickets.overdue_counts(today)
        overdue_units, unassigned = ranked_overdue(counts, self.units)
        return ImportSummary(
            file_name=self.parsed.file_name,
            as_of=today,
            rows_read=self.parsed.rows_read,
            new=self.new,
            updated=self.updated,
            unchanged=self.unchanged,
            unmatched=tuple(self.unmatched),  # in the file's order
            rejected=self.parsed.rejected,
            overdue_units=overdue_units,
            unassigned_overdue=unassigned,
        )


async def settle(db: Database, import_id: int) -> None:
    """Delete, a batch per transaction, the versions a published import replaced."""
    after: str | None = ""
    while after is not None:
        async with db.write() as tx:
            after = await tx.tickets.settle_some(import_id, after, CLEAN_BATCH)


async def discard(db: Database, import_id: int) -> None:
    """Delete, a batch per transaction, an import that will never be published."""
    done = False
    while not done:
        async with db.write() as tx:
            done = await tx.tickets.discard_some(import_id, CLEAN_BATCH)


async def _discard_quietly(db: Database, import_id: int) -> None:
    try:
        await discard(db, import_id)
    except Exception:
        log.exception("could not delete the failed ticket import %s; next start will", import_id)


async def clear_leftovers(db: Database) -> int:
    """Delete the imports a crash left saving, and finish settling published ones; run at
    start. Imports saved by another live process (`baocao tickets import`) are left alone.
    The number of imports deleted."""
    async with db.write() as tx:
        saving = await tx.tickets.saving()
        unsettled = await tx.tickets.unsettled()
    left = [i for i, pid in saving if pid == os.getpid() or not _alive(pid)]
    for import_id in left:
        log.warning("deleting ticket import %s, cut short before it was published", import_id)
        await discard(db, import_id)
    for import_id in unsettled:
        await settle(db, import_id)
    return len(left)


def _alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (the database is local)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True
