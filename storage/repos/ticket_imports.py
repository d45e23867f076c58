"""Saving a ticket export in short transactions, shown to nobody until it is published.

An import's tickets are new versions (rows of `tickets` with its import_id): `begin_import`,
then `stage` a batch per transaction, then `publish` in one small transaction, after which
`shown_tickets` (every reader's view) shows them. `settle_some` then deletes the versions they
replaced; `discard_some` deletes an import that failed or was cut short (0008_ticket_imports.sql).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain.ticket_import import ImportedTicket, merge_import
from domain.tickets import Ticket, changes, same_content
from storage import codec
from storage.repos.tickets import (
    COLUMNS,
    INSERT_REVISION,
    SavedImport,
    TicketEdits,
    row_values,
    ticket_from_row,
)

_INSERT_VERSION = (
    f"INSERT OR REPLACE INTO tickets ({COLUMNS}, import_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_BEGIN = """
INSERT INTO ticket_imports (file_name, changed_by, started_at, pid, base_seq, state)
VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(published_seq), 0) FROM ticket_imports), 'saving')
RETURNING id, started_at, base_seq
"""
# The shown tickets this import also holds that changed since it began: answered or assigned
# in chat (a later updated_at), or replaced by another import published meanwhile.
_CHANGED_MEANWHILE = f"""
SELECT {", ".join("s." + c.strip() for c in COLUMNS.split(","))}
FROM shown_tickets AS s JOIN ticket_imports AS i ON i.id = s.import_id
WHERE (s.updated_at > ?1 OR i.published_seq > ?2)
    AND EXISTS (SELECT 1 FROM tickets AS x WHERE x.id = s.id AND x.import_id = ?3)
"""
_PUBLISH = """
UPDATE ticket_imports SET state = 'published', published_at = ?,
    published_seq = (SELECT COALESCE(MAX(published_seq), 0) + 1 FROM ticket_imports)
WHERE id = ? AND state = 'saving'
"""
_DROP_REVISIONS_OF = "DELETE FROM ticket_revisions WHERE import_id = ? AND ticket_id = ?"
_NEXT_IDS = "SELECT id FROM tickets WHERE import_id = ? AND id > ? ORDER BY id LIMIT ?"
_SUPERSEDED = """
DELETE FROM tickets WHERE id = ? AND import_id IN (SELECT id FROM ticket_imports
    WHERE published_seq < (SELECT published_seq FROM ticket_imports WHERE id = ?))
"""
_SETTLED = "UPDATE ticket_imports SET state = 'settled' WHERE id = ? AND state = 'published'"
_DISCARD_REVISIONS = """
DELETE FROM ticket_revisions WHERE id IN (
    SELECT id FROM ticket_revisions WHERE import_id = ? LIMIT ?)
"""
_DISCARD_TICKETS = """
DELETE FROM tickets WHERE rowid IN (SELECT rowid FROM tickets WHERE import_id = ? LIMIT ?)
"""
_DROP_IMPORT = "DELETE FROM ticket_imports WHERE id = ? AND state = 'saving'"
_SAVING = "SELECT id, pid FROM ticket_imports WHERE state = 'saving' ORDER BY id"
_UNSETTLED = "SELECT id FROM ticket_imports WHERE state = 'published' ORDER BY id"


@dataclass(frozen=True, slots=True)
class ImportStart:
    """An import being saved: its id, its stamp (its changes' time) and the last published
    import's sequence number when it began."""

    id: int
    stamp: str
    base_seq: int


class TicketsWriter(TicketEdits):
    """Every ticket write: the chat's edits (TicketEdits) and imports."""

    __slots__ = ()

    async def save_imported(
        self,
        rows: Sequence[ImportedTicket],
        changed_by: str,
        source_message: str | None = None,
        at: datetime | None = None,
    ) -> SavedImport:
        """Create or update the tickets of an export's rows by id, all in this transaction
        (see `domain.ticket_import.merge_import` for what an import may change), each change
        to a tracked field with its revision. Ids must be unique among `rows`.

        A large export is better saved in batches (bot/tickets/saving.py): this holds the
        write lock for the whole file.
        """
        begun = await self.begin_import(source_message or "", changed_by, at)
        saved = await self.stage(begun, rows, changed_by, source_message)
        await self.publish(begun, {r.id: r for r in rows}, changed_by, source_message)
        while await self.settle_some(begun.id, "", len(rows) + 1) is not None:
            pass
        return saved

    async def begin_import(
        self, file_name: str, changed_by: str, at: datetime | None = None
    ) -> ImportStart:
        """Open an import, saving and shown to nobody yet."""
        stamp = codec.timestamp(at or self._s.now())
        row = await self._s.one(_BEGIN, (file_name, changed_by, stamp, os.getpid()))
        return ImportStart(int(row["id"]), str(row["started_at"]), int(row["base_seq"]))

    async def stage(
        self,
        begun: ImportStart,
        rows: Sequence[ImportedTicket],
        changed_by: str,
        source_message: str | None = None,
    ) -> SavedImport:
        """Write the import's versions of these rows' tickets, merged over the shown ones,
        with their revisions; nobody sees them before `publish`. Ids must be unique."""
        ids = [r.id for r in rows]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ticket ids among the rows to import")
        stored = await self.many(ids)
        new: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        after: dict[str, Ticket] = {}
        versions: list[tuple[object, ...]] = []
        revisions: list[tuple[object, ...]] = []
        for row in rows:
            before = stored.get(row.id)
            ticket = self._merged(before, row, begun.stamp, changed_by)
            kind = new if before is None else unchanged if ticket is before else updated
            kind.append(row.id)
            after[row.id] = ticket
            versions.append((*row_values(ticket, imported_at=begun.stamp), begun.id))
            revisions.extend(
                (row.id, name, old, value, begun.stamp, changed_by, source_message, begun.id)
                for name, old, value in changes(before, ticket)
            )
        await self._s.run_many(_INSERT_VERSION, versions)
        await self._s.run_many(INSERT_REVISION, revisions)
        return SavedImport(tuple(new), tuple(updated), tuple(unchanged), after)

    @staticmethod
    def _merged(before: Ticket | None, row: ImportedTicket, stamp: str, by: str) -> Ticket:
        """The ticket after the row: `before` itself when nothing but stamps would change."""
        ticket = merge_import(before, row)
        if before is not None and same_content(before, ticket):
            return before
        return replace(ticket, updated_at=codec.parse_timestamp(stamp), updated_by=by)

    async def publish(
        self,
        begun: ImportStart,
        rows: Mapping[str, ImportedTicket],
        changed_by: str,
        source_message: str | None = None,
    ) -> int:
        """Show the import to everyone, in this (small) transaction; the number of tickets
        merged again because they changed in chat or by another import meanwhile."""
        params = (begun.stamp, begun.base_seq, begun.id)
        meanwhile = [ticket_from_row(r) for r in await self._s.rows(_CHANGED_MEANWHILE, params)]
        now = codec.timestamp(self._s.now())
        for current in meanwhile:
            ticket = self._merged(current, rows[current.id], now, changed_by)
            await self._s.run(_DROP_REVISIONS_OF, (begun.id, current.id))
            await self._s.run(_INSERT_VERSION, (*row_values(ticket, imported_at=now), begun.id))
            await self._s.run_many(
                INSERT_REVISION,
                [
                    (current.id, name, old, value, now, changed_by, source_message, begun.id)
                    for name, old, value in changes(current, ticket)
                ],
            )
        if await self._s.run(_PUBLISH, (now, begun.id)) != 1:
            raise LookupError(f"ticket import {begun.id} is not saving any more")
        return len(meanwhile)

    async def settle_some(self, import_id: int, after: str, limit: int) -> str | None:
        """Delete the versions a published import replaced, for up to `limit` of its
        tickets with ids after `after`: the last id done, or None once all are (settled)."""
        ids = [r["id"] for r in await self._s.rows(_NEXT_IDS, (import_id, after, limit))]
        await self._s.run_many(_SUPERSEDED, [(ticket_id, import_id) for ticket_id in ids])
        if len(ids) < limit:
            await self._s.run(_SETTLED, (import_id,))
            return None
        return str(ids[-1])

    async def discard_some(self, import_id: int, limit: int) -> bool:
        """Delete up to `limit` rows of an unpublished import (revisions, then versions);
        True once nothing of it is left (the import itself deleted)."""
        if await self._s.run(_DISCARD_REVISIONS, (import_id, limit)):
            return False
        if await self._s.run(_DISCARD_TICKETS, (import_id, limit)):
            return False
        await self._s.run(_DROP_IMPORT, (import_id,))
        return True

    async def saving(self) -> list[tuple[int, int]]:
        """(id, process id) of the imports still saving: running, or left by a crash."""
        return [(int(r["id"]), int(r["pid"])) for r in await self._s.rows(_SAVING)]

    async def unsettled(self) -> list[int]:
        """Published imports whose replaced versions are not all deleted yet."""
        return [int(r["id"]) for r in await self._s.rows(_UNSETTLED)]
