"""Reporting periods: when each was opened and locked."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from domain.periods import Period
from storage import codec
from storage.records import PeriodRecord
from storage.repos.base import Repository

_COLUMNS = "key, opened_at, locked_at"

_SELECT = f"SELECT {_COLUMNS} FROM periods WHERE key = ?"
_SELECT_ALL = f"SELECT {_COLUMNS} FROM periods ORDER BY key"
_ENSURE = "INSERT INTO periods (key) VALUES (?) ON CONFLICT (key) DO NOTHING"
# COALESCE keeps the first opening time when a period is opened again after a restart.
_OPEN = f"""
INSERT INTO periods (key, opened_at) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET opened_at = COALESCE(periods.opened_at, excluded.opened_at)
RETURNING {_COLUMNS}
"""
_LOCK = f"""
INSERT INTO periods (key, locked_at) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET locked_at = COALESCE(periods.locked_at, excluded.locked_at)
RETURNING {_COLUMNS}
"""
_UNLOCK = f"UPDATE periods SET locked_at = NULL WHERE key = ? RETURNING {_COLUMNS}"


def _record(row: sqlite3.Row) -> PeriodRecord:
    return PeriodRecord(
        period=codec.period_from_key(row["key"]),
        opened_at=codec.optional_parse_timestamp(row["opened_at"]),
        locked_at=codec.optional_parse_timestamp(row["locked_at"]),
    )


class PeriodsReader(Repository):
    """Looking up periods."""

    __slots__ = ()

    async def get(self, period: Period | str) -> PeriodRecord | None:
        """The stored period, or None if it was never ensured."""
        row = await self._s.row(_SELECT, (codec.period_key(period),))
        return None if row is None else _record(row)

    async def all(self) -> list[PeriodRecord]:
        """Every stored period, oldest first."""
        return [_record(r) for r in await self._s.rows(_SELECT_ALL)]


class PeriodsWriter(PeriodsReader):
    """Creating, opening and locking periods."""

    __slots__ = ()

    async def ensure(self, period: Period | str) -> PeriodRecord:
        """Create the period if it does not exist yet; return it."""
        key = codec.period_key(period)
        await self._s.run(_ENSURE, (key,))
        return _record(await self._s.one(_SELECT, (key,)))

    async def open(self, period: Period | str, at: datetime | None = None) -> PeriodRecord:
        """Record that the period opened (first time wins); creates it if needed."""
        when = codec.timestamp(at or self._s.now())
        return _record(await self._s.one(_OPEN, (codec.period_key(period), when)))

    async def lock(self, period: Period | str, at: datetime | None = None) -> PeriodRecord:
        """Close the period to edits (first time wins); creates it if needed."""
        when = codec.timestamp(at or self._s.now())
        return _record(await self._s.one(_LOCK, (codec.period_key(period), when)))

    async def unlock(self, period: Period | str) -> PeriodRecord | None:
        """Reopen a locked period for corrections; None if the period does not exist."""
        row = await self._s.row(_UNLOCK, (codec.period_key(period),))
        return None if row is None else _record(row)
