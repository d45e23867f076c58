"""The database: opening and migrating the file, transactions, read snapshots, backups."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

import aiosqlite

from storage.backup import copy_database
from storage.codec import utc_now
from storage.connection import check_sqlite_version, connect, normalize_synchronous
from storage.errors import (
    DatabaseBusyError,
    DatabaseClosedError,
    DiskFullError,
    StorageError,
    is_busy,
    is_disk_full,
)
from storage.fileprobe import existing_files, out_of_space, probe, remove_new_files
from storage.migrator import migrate
from storage.schema import latest_version
from storage.session import Clock, Session
from storage.views import ReadView, WriteTransaction
from storage.writer import Writer

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT_MS = 5000  # long enough to outwait any one transaction
DEFAULT_READERS = 2


class Database:
    """One SQLite file: a single writer connection (one transaction at a time, in order of
    arrival; see storage.writer) and a small pool of reader connections that WAL mode lets
    run alongside it.

    Always `close()` it (or use `async with`): its connection threads keep the process alive.
    """

    def __init__(
        self,
        path: Path,
        writer: Writer,
        readers: list[aiosqlite.Connection],
        clock: Clock,
    ) -> None:
        """Wrap open connections; use `Database.open` instead."""
        self._path = path
        self._writer = writer
        self._reader_count = len(readers)
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        for reader in readers:
            self._readers.put_nowait(reader)
        self._clock = clock
        self._write_lock = asyncio.Lock()
        self._writing_task: asyncio.Task[object] | None = None
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: Path | str,
        synchronous: str = "FULL",
        *,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        readers: int = DEFAULT_READERS,
        clock: Clock = utc_now,
    ) -> Database:
        """Open (creating if absent) and migrate the database; refuse files that are not ours.

        `synchronous="FULL"` makes every commit durable across power loss; "NORMAL" is faster
        but may lose the last transactions on power loss (never on a process crash).
        """
        check_sqlite_version()
        level = normalize_synchronous(synchronous)
        if readers < 1:
            raise ValueError("readers must be at least 1")
        db_path = Path(path)
        # Checked before any connection opens, because opening (WAL mode) would write.
        await asyncio.to_thread(probe, db_path, latest_version())
        existed = existing_files(db_path)
        try:
            migrating = await connect(
                db_path, synchronous=level, busy_timeout_ms=busy_timeout_ms, read_only=False
            )
            try:
                await migrate(migrating, db_path)
            finally:
                await migrating.close()
        except (sqlite3.Error, StorageError) as error:
            if not out_of_space(db_path, error):
                raise
            remove_new_files(db_path, existed)
            raise DiskFullError(f"no space left to open {db_path}: {error}") from error
        writer = await Writer.open(db_path, synchronous=level, busy_timeout_ms=busy_timeout_ms)
        opened: list[aiosqlite.Connection] = []
        try:
            for _ in range(readers):
                opened.append(
                    await connect(
                        db_path, synchronous=level, busy_timeout_ms=busy_timeout_ms, read_only=True
                    )
                )
        except BaseException:
            for conn in opened:
                await conn.close()
            await writer.close()
            raise
        return cls(db_path, writer, opened, clock)

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    async def pragmas(self) -> dict[str, int | str]:
        """The effective settings of the writer and of one reader (for diagnostics)."""
        self._check_open()
        names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only")
        result: dict[str, int | str] = {}
        reader = await self._readers.get()
        try:
            for name in names:
                result[f"writer.{name}"] = self._writer.fetchall(f"PRAGMA {name}")[0][0]
                rows = list(await reader.execute_fetchall(f"PRAGMA {name}"))
                result[f"reader.{name}"] = rows[0][0]
            for name in ("user_version", "application_id"):
                result[name] = self._writer.fetchall(f"PRAGMA {name}")[0][0]
        finally:
            self._readers.put_nowait(reader)
        return result

    async def close(self) -> None:
        """Wait for running blocks to finish, then close every connection."""
        if self._closed:
            return
        self._closed = True
        async with self._write_lock:
            try:
                # Lets SQLite refresh query-planner statistics it found missing.
                await self._writer.run("PRAGMA optimize")
            except sqlite3.Error as e:
                log.warning("PRAGMA optimize failed on %s: %s", self._path, e)
            await self._writer.close()
        for _ in range(self._reader_count):
            reader = await self._readers.get()
            await reader.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise DatabaseClosedError(f"database {self._path} is closed")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTransaction]:
        """A write transaction (BEGIN IMMEDIATE): committed when the block ends, rolled back
        if it raises. Transactions run one at a time; do not nest them in one task.

        A block cancelled while committing may still have committed.
        """
        self._check_open()
        task = asyncio.current_task()
        if task is not None and task is self._writing_task:
            # Waiting for our own lock would hang forever.
            raise StorageError("db.write() cannot be nested: use the outer transaction")
        async with self._write_lock:
            self._check_open()  # close() may have run while this block waited
            self._writing_task = task
            session = Session(self._writer.statements, self._clock)
            committed = False
            try:
                await self._begin()
                yield WriteTransaction(session)
                await session.end()  # its bulk reads closed before COMMIT
                try:
                    await self._writer.run("COMMIT")  # the disk sync: on the writer's thread
                except sqlite3.Error as e:
                    if is_disk_full(e):
                        raise DiskFullError(f"commit to {self._path} failed: {e}") from e
                    raise StorageError(f"commit to {self._path} failed: {e}") from e
                committed = True
            finally:
                try:
                    await session.end()  # no statement outlives the block
                finally:
                    self._writing_task = None
                if not committed:
                    await _rollback_quietly(self._writer.run)

    async def _begin(self) -> None:
        try:
            if self._writer.begin_here():
                return
            # On the writer's thread: it waits (busy_timeout) while another process writes.
            await self._writer.run("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if not is_busy(e):
                raise StorageError(f"cannot begin a transaction on {self._path}: {e}") from e
            raise DatabaseBusyError(
                f"{self._path} stayed locked by another process for longer than the busy "
                f"timeout; retry, or stop the other baocao process: {e}"
            ) from e

    @asynccontextmanager
    async def read(self, *, one_statement: bool = False) -> AsyncIterator[ReadView]:
        """A read-only snapshot: every query in the block sees the same committed state.

        Inside a `db.write()` block, read through the transaction instead to see its writes.
        With `one_statement` the block may run a single statement, a snapshot by itself, with
        no BEGIN and ROLLBACK around it: each is a hop to the reader's thread and back, which
        costs more CPU than a small query (the delivery worker reads its due messages so).
        """
        self._check_open()
        conn = await self._readers.get()
        session = Session(conn, self._clock, statements=1 if one_statement else None)
        try:
            if not one_statement:
                # A deferred BEGIN pins the snapshot at the first query of the block.
                await conn.execute("BEGIN")
            yield ReadView(session)
        finally:
            try:
                await session.end()  # no statement outlives the block
            finally:
                try:
                    if not one_statement:
                        await _rollback_quietly(conn.execute)
                finally:
                    # Even when cancelled while rolling back: the ROLLBACK is already queued
                    # on the connection's thread, so the next user finds it clean. Not
                    # returning the connection would leak it and make close() wait forever.
                    self._readers.put_nowait(conn)

    async def backup(self, dest: Path | str) -> Path:
        """Write a consistent copy of the committed data to `dest` while the bot keeps running."""
        self._check_open()
        target = Path(dest)
        if target.resolve() == self._path.resolve():
            raise StorageError("the backup must go to another file than the database itself")
        conn = await self._readers.get()
        try:
            await copy_database(conn, target)
        finally:
            self._readers.put_nowait(conn)
        return target


async def _rollback_quietly(execute: Callable[[str], Awaitable[object]]) -> None:
    """End whatever transaction is open; 'no transaction is active' is fine."""
    try:
        await execute("ROLLBACK")
    except sqlite3.OperationalError as e:
        if "no transaction is active" not in str(e):
            log.error("ROLLBACK failed: %s", e)
