"""Saving a ticket export read by bot/tickets/reading.py: its tickets stored (new, updated or
unchanged, each change with its revision), and the summary the office is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.tickets.reading import TicketFile, read_ticket_file
from bot.workspace.settings import TicketSettings
from domain.ticket_figures import overdue_by_unit
from domain.ticket_import import ImportSummary, UnmatchedRow
from domain.units import Unit
from storage import WriteTransaction


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
    """Read an export and store its tickets; the summary for the office.

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
    """Store a file read by `read_ticket_file` (read it before opening the transaction
    when it is large: parsing inside would hold every other writer up).
    """
    saved = await tx.tickets.save_imported(parsed.tickets, changed_by, parsed.file_name)
    names = {u.code: u.name for u in units}
    unmatched = tuple(
        UnmatchedRow(
            line=row.line,
            ticket_id=row.id,
            unit_text=row.unit_text,
            suggestion_code=stored.suggestion,
            suggestion_name=names.get(stored.suggestion or ""),
        )
        for row in parsed.tickets
        if (stored := saved.tickets[row.id]).unit_code is None
    )
    overdue_units, unassigned = overdue_by_unit(await tx.tickets.overdue(today), units, today)
    return ImportSummary(
        file_name=parsed.file_name,
        as_of=today,
        rows_read=parsed.rows_read,
        new=len(saved.new),
        updated=len(saved.updated),
        unchanged=len(saved.unchanged),
        unmatched=unmatched,
        rejected=parsed.rejected,
        overdue_units=overdue_units,
        unassigned_overdue=unassigned,
    )
