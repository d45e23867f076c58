"""The connection handle repositories share within one `db.read()` or `db.write()` block."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

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


T = TypeVar("T")


def _as_is(rows: list[tuple[Any, ...]]) -> list[Any]:
    return rows


class InlineStatements:
    """Statements run right here, on the event loop's thread, on a plain sqlite3 connection.

    For the writer inside its transaction: it holds the write lock, so a statement waits for
    nobody, and on cached pages it takes microseconds, far less than a hop to a connection
    thread and back (which also makes threads fight for the GIL). What can wait or sync the
    disk (BEGIN IMMEDIATE, COMMIT) runs on the writer's thread instead; see `Database.write`.
    """

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute_fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of one statement."""
        return self._conn.execute(sql, params).fetchall()

    async def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        """Run one statement."""
        return self._conn.execute(sql, params)

    async def executemany(self, sql: str, params: Iterable[Params]) -> sqlite3.Cursor:
        """Run one statement per parameter set."""
        return self._conn.executemany(sql, params)

    async def cursor(self) -> InlineCursor:
        """A cursor, for reading a big result a chunk at a time."""
        return InlineCursor(self._conn.cursor())


class InlineCursor:
    """A sqlite3 cursor with the awaitable methods of aiosqlite's (what `Chunks` uses)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def row_factory(self) -> Any:
        """How rows are built (None: plain tuples)."""
        return self._cursor.row_factory

    @row_factory.setter
    def row_factory(self, factory: Any) -> None:
        self._cursor.row_factory = factory

    async def execute(self, sql: str, params: Params) -> None:
        """Start the query."""
        self._cursor.execute(sql, params)

    async def fetchmany(self, size: int) -> list[Any]:
        """The next rows, at most `size`."""
        return self._cursor.fetchmany(size)

    async def close(self) -> None:
        """Release the statement."""
        self._cursor.close()


class Session:
    """Runs statements on one connection until its block ends, then refuses further use."""

    __slots__ = ("_clock", "_conn", "_left", "_open", "_reads")

    def __init__(
        self,
        conn: aiosqlite.Connection | InlineStatements,
        clock: Clock,
        statements: int | None = None,
    ) -> None:
        """A session on `conn`; at most `statements` statements if given (a block that is
        no transaction: more statements would not share one snapshot)."""
        self._conn = conn
        self._clock = clock
        self._open = True
        self._left = statements
        self._reads: list[Chunks[Any]] = []  # bulk reads started in the block

    def now(self) -> datetime:
        """The current time from the database's clock (tests inject a fixed one)."""
        return self._clock()

    async def end(self) -> None:
        """End the session: a repository kept past its block fails instead of misbehaving,
        and every bulk read it started that is still open is released. A statement left
        open (a reader stopped early or cancelled, its Chunks still referenced) would keep
        its snapshot after the block's ROLLBACK, and the next block on the connection would
        read the data as they were. Shielded: a cancelled block still closes them (queued
        on the connection's thread before the next user's). Without bulk reads it awaits
        nothing."""
        self._open = False
        if self._reads:
            reads, self._reads = self._reads, []
            closing = asyncio.gather(*(read.aclose() for read in reads), return_exceptions=True)
            await asyncio.shield(closing)

    def _check(self) -> None:
        if not self._open:
            raise TransactionClosedError(
                "this read/write block has ended; open a new `db.read()` or `db.write()`"
            )

    def _start_statement(self) -> None:
        self._check()
        if self._left is not None:
            if self._left <= 0:
                raise StorageError("this read block runs one statement: use `db.read()`")
            self._left -= 1

    async def rows(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """All rows of a query (or of a statement with RETURNING), in one round trip."""
        self._start_statement()
        try:
            # execute_fetchall drains the statement at once (one hop to a reader's thread).
            return cast(list[sqlite3.Row], await self._conn.execute_fetchall(sql, params))
        except sqlite3.IntegrityError as e:
            raise ConstraintError(str(e)) from e
        except sqlite3.OperationalError as e:
            _raise_if_full(e)
            raise

    def chunks(
        self,
        sql: str,
        params: Params = (),
        size: int = CHUNK_ROWS,
        convert: Callable[[list[tuple[Any, ...]]], list[T]] = _as_is,
    ) -> Chunks[T]:
        """The rows of a big query as plain tuples (each chunk passed through `convert`),
        `size` at a time: `async for chunk in ...`, within this session's block.

        For bulk reads (a whole period for the report): tuples cost less than sqlite3.Row,
        and the caller never holds every row at once. One hop to the worker thread per chunk.
        """
        self._start_statement()
        read = Chunks(self, sql, params, size, convert)
        self._reads.append(read)
        return read

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
        self._start_statement()
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
        self._start_statement()
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


def _taken(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


class Chunks(Generic[T]):
    """The rows of a query, a chunk at a time (`async for`); see `Session.chunks`.

    `await start()` hands the query to SQLite and returns at once: SQLite works on it (the
    sort of an ORDER BY, say) in the connection's thread, without the GIL, while the caller
    does something else; the first chunk then comes sooner. Iterating starts it anyway.
    """

    __slots__ = (
        "_ahead",
        "_convert",
        "_cursor",
        "_params",
        "_pending",
        "_session",
        "_size",
        "_sql",
    )

    def __init__(
        self,
        session: Session,
        sql: str,
        params: Params,
        size: int,
        convert: Callable[[list[tuple[Any, ...]]], list[T]],
    ) -> None:
        self._session = session
        self._sql, self._params, self._size, self._convert = sql, params, size, convert
        self._cursor: aiosqlite.Cursor | InlineCursor | None = None
        self._pending: asyncio.Future[Any] | None = None
        self._ahead: asyncio.Future[Any] | None = None  # the next chunk, asked for already

    async def start(self) -> None:
        """Send the query to SQLite without waiting for its first row."""
        if self._cursor is not None:
            return
        self._session._check()
        cursor = await self._session._conn.cursor()
        cursor.row_factory = None  # plain tuples, whatever the connection's factory
        self._cursor = cursor
        self._pending = asyncio.ensure_future(cursor.execute(self._sql, self._params))
        # One turn of the loop: the task queues the statement on the connection's thread.
        await asyncio.sleep(0)

    def __aiter__(self) -> Chunks[T]:
        return self

    async def __anext__(self) -> list[T]:
        await self.start()
        assert self._cursor is not None
        try:
            if self._pending is not None:
                pending, self._pending = self._pending, None
                await pending
            self._session._check()  # the block may have ended while the caller worked
            ahead, self._ahead = self._ahead, None
            found = cast(
                list[tuple[Any, ...]],
                await (ahead if ahead is not None else self._cursor.fetchmany(self._size)),
            )
        except BaseException:
            await self.aclose()
            raise
        if not found:
            await self.aclose()
            raise StopAsyncIteration
        # Ask for the next chunk at once: SQLite reads it in the connection's thread
        # (without the GIL) while the caller converts and works on this one.
        self._ahead = asyncio.ensure_future(self._cursor.fetchmany(self._size))
        # A reader that stops early never takes it: its failure (the block ended) is no news.
        self._ahead.add_done_callback(_taken)
        try:
            # One turn of the loop, so the task hands the fetch to the connection's thread
            # now: a caller working on this chunk without awaiting would otherwise queue it
            # only when it asks for the next one, and nothing would overlap.
            await asyncio.sleep(0)
        except BaseException:
            await self.aclose()
            raise
        return self._convert(found)

    async def aclose(self) -> None:
        """Release the cursor (done by itself at the end of the rows or on an error)."""
        waiting = [f for f in (self._pending, self._ahead) if f is not None]
        self._pending = self._ahead = None
        await asyncio.gather(*waiting, return_exceptions=True)
        if self._cursor is not None:
            cursor, self._cursor = self._cursor, None
            await cursor.close()
