"""The inbox: platform updates stored before they are acknowledged, handled exactly once."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage import codec
from storage.codec import JsonObject
from storage.records import InboxItem
from storage.repos.base import Repository

_COLUMNS = "id, channel, external_id, payload, received_at, handled_at, attempts, error"

_STORE = """
INSERT INTO inbox (channel, external_id, payload, received_at) VALUES (?, ?, ?, ?)
ON CONFLICT (channel, external_id) DO NOTHING
RETURNING id
"""
_SELECT = f"SELECT {_COLUMNS} FROM inbox WHERE id = ?"
_SELECT_UNHANDLED = f"""
SELECT {_COLUMNS} FROM inbox WHERE handled_at IS NULL AND attempts < ? ORDER BY id LIMIT ?
"""
_MARK_HANDLED = """
UPDATE inbox SET handled_at = ?, error = COALESCE(?, error) WHERE id = ? AND handled_at IS NULL
"""
_MARK_FAILED = (
    "UPDATE inbox SET attempts = attempts + 1, error = ? WHERE id = ? AND handled_at IS NULL"
)
# A batch at a time (SQLite's DELETE has no LIMIT unless compiled with it): the caller
# commits between batches so that no purge holds the write lock for long. The index
# inbox_handled_at finds the rows (no ORDER BY: it would make SQLite read them all to sort).
_PURGE = """
DELETE FROM inbox WHERE id IN (
    SELECT id FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ? LIMIT ?
)
"""


def _item(row: sqlite3.Row) -> InboxItem:
    return InboxItem(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        payload=codec.load_json(row["payload"]),
        received_at=codec.parse_timestamp(row["received_at"]),
        handled_at=codec.optional_parse_timestamp(row["handled_at"]),
        attempts=row["attempts"],
        error=row["error"],
    )


class InboxReader(Repository):
    """Looking at received updates."""

    __slots__ = ()

    async def get(self, item_id: int) -> InboxItem | None:
        """One stored update."""
        row = await self._s.row(_SELECT, (item_id,))
        return None if row is None else _item(row)

    async def next_unhandled(self, limit: int = 100, max_attempts: int = 5) -> list[InboxItem]:
        """Unhandled updates in arrival order, skipping those that failed `max_attempts` times."""
        return [_item(r) for r in await self._s.rows(_SELECT_UNHANDLED, (max_attempts, limit))]


class InboxWriter(InboxReader):
    """Storing and settling received updates."""

    __slots__ = ()

    async def store(
        self,
        channel: str,
        external_id: str,
        payload: JsonObject,
        at: datetime | None = None,
    ) -> int | None:
        """Store an update before acknowledging it to the platform; None if already stored."""
        when = codec.timestamp(at or self._s.now())
        new_id = await self._s.scalar(
            _STORE, (channel, external_id, codec.dump_json(payload), when)
        )
        return None if new_id is None else int(new_id)

    async def mark_handled(
        self, item_id: int, at: datetime | None = None, error: str | None = None
    ) -> bool:
        """Settle an update (with `error` if it was settled by giving up on it).

        False if it was already handled: the caller should then roll back its own effects,
        which is why they belong in the same transaction as this call.
        """
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_MARK_HANDLED, (when, error, item_id)) > 0

    async def mark_failed(self, item_id: int, error: str) -> bool:
        """Count a failed handling attempt and keep its error; False if unknown or handled."""
        return await self._s.run(_MARK_FAILED, (error, item_id)) > 0

    async def purge_handled(self, before: datetime, limit: int = 500) -> int:
        """Delete at most `limit` updates handled before `before`; rows deleted.

        Unhandled updates are never deleted, whatever their age. A deleted update's id no
        longer counts as a duplicate, so `before` must lie well past the platforms'
        redelivery window (Telegram keeps an unconfirmed update at most 24 hours).
        """
        return await self._s.run(_PURGE, (codec.timestamp(before), limit))
