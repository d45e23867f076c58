"""The writer connection: statements on the event loop's thread, waits and disk syncs on its own.

A write transaction's statements hold the write lock and so wait for nobody: on cached
pages each takes microseconds, less than a hop to a connection thread and back (the hops,
about twenty per chat event, were most of the storage cost, and they make the threads fight
for the GIL). What can block for long runs on the writer's own thread instead:
BEGIN IMMEDIATE (waits while another process writes), COMMIT (the fsync of
synchronous=FULL, and the WAL checkpoint), ROLLBACK, closing. That thread runs one call at a
time in the order asked, so a ROLLBACK asked after a COMMIT that was cancelled while running
waits for that COMMIT.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from storage.connection import open_connection
from storage.session import InlineStatements, Params


class Writer:
    """The one connection that writes, and the thread for its blocking calls."""

    def __init__(self, conn: sqlite3.Connection, thread: ThreadPoolExecutor) -> None:
        """Wrap an open connection; use `Writer.open` instead."""
        self._conn = conn
        self._thread = thread
        self.statements = InlineStatements(conn)

    @classmethod
    async def open(cls, path: Path, *, synchronous: str, busy_timeout_ms: int) -> Writer:
        """Open the writer connection with our PRAGMAs."""
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="baocao-writer")
        try:
            conn = await asyncio.get_running_loop().run_in_executor(
                thread,
                lambda: open_connection(
                    path, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms, read_only=False
                ),
            )
        except BaseException:
            thread.shutdown(wait=False)
            raise
        return cls(conn, thread)

    async def run(self, sql: str) -> None:
        """Run a statement that may block (BEGIN IMMEDIATE, COMMIT, ROLLBACK) on the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.execute, sql)

    async def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """A statement right here, like those of a write block (call it inside one)."""
        return await self.statements.execute(sql, params)

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """The rows of a statement right here, like those of a write block (call it inside
        one)."""
        return await self.statements.execute_fetchall(sql, params)

    def fetchall(self, sql: str) -> list[sqlite3.Row]:
        """Rows of a quick statement (a PRAGMA), right here."""
        return self._conn.execute(sql).fetchall()

    async def close(self) -> None:
        """Close the connection, then the thread."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
        self._thread.shutdown(wait=False)
