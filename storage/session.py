"""The connection handle repositories share within one `db.read()` or `db.write()` block."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

import aiosqlite

from storage.errors import (
    ConstraintError,
    DiskFullError,
    StorageError,
    TransactionClosedError,
    is_disk_full,
)

Clock = Callable[[], datetime]
Params = Sequence[Any]
CHUNK_ROWS = 5000  # rows per hop of a bulk read: few hops, a small buffer


class Session:
    """Runs statements on one connection until its block ends, then refuses further use."""

    __slots__ = ("_clock", "_conn", "_open")

    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        self._open = True

    def now(self) -> datetime:
        """The current time from the database's clock (tests inject a fixed one)."""
        return self._clock()

    def close(self) -> None:
        """End the session: a repository kept past its block fails instead of misbehaving."""
        self._open = False

    def _check(self) -> None:
        if not self._open:
            raise TransactionClosedError(
                "this read/write block has ended; open a new `db.read()` or `db.write()`"
            )

    async def rows(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query (or of a statement with RETURNING), in one round trip."""
        self._check()
        try:
            # execute_fetchall drains the statement in one hop to the worker thread.
            return cast(list[sqlite3.Row], await self._conn.execute_fetchall(sql, params))
        except sqlite3.IntegrityError as e:
            raise ConstraintError(str(e)) from e
        except sqlite3.OperationalError as e:
            _raise_if_full(e)
            raise

    async def chunks(
        self, sql: str, params: Params = (), size: int = CHUNK_ROWS
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        """The rows of a big query as plain tuples, `size` at a time.

        For bulk reads (a whole period for the report): tuples cost less than sqlite3.Row,
        and the caller never holds every row at once. One hop to the worker thread per chunk.
        """
        self._check()
        cursor = await self._conn.cursor()
        cursor.row_factory = None  # plain tuples, whatever the connection's factory
        try:
            await cursor.execute(sql, params)
            while True:
                self._check()  # the block may have ended while the caller worked
                found = cast(list[tuple[Any, ...]], await cursor.fetchmany(size))
                if not found:
                    return
                yield found
        finally:
            await cursor.close()

    async def row(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        found = await self.rows(sql, params)
        return found[0] if found else None

    async def one(self, sql: str, params: Params = ()) -> sqlite3.Row:
        """The first row of a statement that always yields one (an upsert with RETURNING)."""
        found = await self.rows(sql, params)
        if not found:
            raise StorageError(f"statement returned no row: {sql.strip()[:60]!r}")
        return found[0]

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None."""
        found = await self.rows(sql, params)
        return found[0][0] if found else None

    async def run(self, sql: str, params: Params = ()) -> int:
        """Execute a statement without results; return the number of rows it changed."""
        self._check()
        try:
            cursor = await self._conn.execute(sql, params)
        except sqlite3.IntegrityError as e:
            raise ConstraintError(str(e)) from e
        except sqlite3.OperationalError as e:
            _raise_if_full(e)
            raise
        return cursor.rowcount

    async def run_many(self, sql: str, params: Iterable[Params]) -> int:
        """Execute a statement once per parameter set in one round trip; return rows changed."""
        self._check()
        try:
            cursor = await self._conn.executemany(sql, params)
        except sqlite3.IntegrityError as e:
            raise ConstraintError(str(e)) from e
        except sqlite3.OperationalError as e:
            _raise_if_full(e)
            raise
        return cursor.rowcount


def _raise_if_full(error: sqlite3.OperationalError) -> None:
    """Turn SQLITE_FULL into DiskFullError, which callers treat as "retry later"."""
    if is_disk_full(error):
        raise DiskFullError(f"the database is full: {error}") from error
