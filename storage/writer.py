"""The writer connection: statements on the event loop's thread, waits and disk syncs on its own.

A write transaction's statements hold the write lock and so wait for nobody: on cached
pages each takes microseconds, less than a hop to a connection thread and back (the hops,
about twenty per chat event, were most of the storage cost, and they make the threads fight
for the GIL). What can block for long runs on the writer's own thread instead:
BEGIN IMMEDIATE (waits while another process writes), COMMIT (the fsync of
synchronous=FULL, and the WAL checkpoint), ROLLBACK, closing. That thread runs one call at a
time in the order asked, so a ROLLBACK asked after a COMMIT that was cancelled while running
waits for that COMMIT.

BEGIN IMMEDIATE is first tried right here, without waiting (busy timeout 0), when the thread
has nothing left to run: it only waits when another process holds the write lock, and a hop
to the thread and back costs about a tenth of a millisecond of CPU, more than handling half
an answer. Only if the lock is taken does it go to the thread, to wait there.
"""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from storage.connection import open_connection
from storage.errors import is_busy
from storage.session import InlineStatements, Params


class Writer:
    """The one connection that writes, and the thread for its blocking calls."""

    def __init__(
        self, conn: sqlite3.Connection, thread: ThreadPoolExecutor, busy_timeout_ms: int
    ) -> None:
        """Wrap an open connection; use `Writer.open` instead."""
        self._conn = conn
        self._thread = thread
        self._busy_timeout_ms = busy_timeout_ms
        # The last call handed to the thread: until it has run, the connection is the
        # thread's (a cancelled COMMIT or a ROLLBACK may still be queued there).
        self._last: Future[object] | None = None
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
        return cls(conn, thread, busy_timeout_ms)

    async def run(self, sql: str) -> None:
        """Run a statement that may block (BEGIN IMMEDIATE, COMMIT, ROLLBACK) on the thread."""
        self._last = self._thread.submit(self._conn.execute, sql)
        await asyncio.wrap_future(self._last)

    def begin_here(self) -> bool:
        """BEGIN IMMEDIATE right here if it needs no waiting; False (nothing done) if the
        thread still has work queued or another process holds the write lock."""
        if self._last is not None and not self._last.done():
            return False
        conn = self._conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if is_busy(e):
                return False  # the caller waits for the lock on the thread
            raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        return True

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
