"""Opening SQLite connections with the PRAGMAs every baocao connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from storage.errors import StorageError

SYNCHRONOUS_LEVELS = frozenset({"OFF", "NORMAL", "FULL", "EXTRA"})

# RETURNING arrived in SQLite 3.35; older libraries cannot run our queries.
MIN_SQLITE_VERSION = (3, 35, 0)

READER_CACHE_KIB = 32 * 1024  # page cache of a reader connection

# Enough for every distinct statement of the repositories, so none is re-prepared.
_STATEMENT_CACHE_SIZE = 256


def check_sqlite_version() -> None:
    """Refuse to run on a SQLite library too old for the queries, or built without the JSON
    functions the bulk reads use (built in since 3.38; an option before, on in most builds)."""
    if sqlite3.sqlite_version_info < MIN_SQLITE_VERSION:
        wanted = ".".join(map(str, MIN_SQLITE_VERSION))
        raise StorageError(
            f"SQLite {sqlite3.sqlite_version} is too old: baocao needs {wanted} or newer "
            "(use a newer Python build or OS)."
        )
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("SELECT json_group_object('a', 1)").fetchall()
    except sqlite3.OperationalError as e:
        raise StorageError(
            f"SQLite {sqlite3.sqlite_version} lacks the JSON functions baocao needs ({e}): "
            "use a newer Python build or OS."
        ) from e
    finally:
        probe.close()


def normalize_synchronous(level: str) -> str:
    """Validate a `PRAGMA synchronous` level (it is interpolated into SQL)."""
    upper = level.upper()
    if upper not in SYNCHRONOUS_LEVELS:
        raise ValueError(f"synchronous must be one of {sorted(SYNCHRONOUS_LEVELS)}, got {level!r}")
    return upper


def open_connection(
    path: Path, *, synchronous: str, busy_timeout_ms: int, read_only: bool
) -> sqlite3.Connection:
    """Open a plain sqlite3 connection in autocommit mode (transactions are explicit) with our
    PRAGMAs. Blocking: call it on a worker thread.

    The connection may be used from other threads than the one that opened it: the writer
    runs its statements on the event loop's thread and BEGIN/COMMIT on its own thread, one
    at a time (SQLite serializes calls on a connection anyway).
    """
    try:
        # isolation_level=None: the sqlite3 module must not BEGIN on its own; db.write()
        # issues BEGIN IMMEDIATE itself so the write lock is taken up front.
        conn = sqlite3.connect(
            path,
            isolation_level=None,
            cached_statements=_STATEMENT_CACHE_SIZE,
            check_same_thread=False,
        )
    except sqlite3.Error as e:
        raise StorageError(f"cannot open database {path}: {e}") from e
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError(
                f"cannot switch {path} to WAL mode (got {mode!r}); put the database on a local disk"
            )
        conn.execute(f"PRAGMA synchronous = {normalize_synchronous(synchronous)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            # Readers can never write, whatever a caller does with them.
            conn.execute("PRAGMA query_only = ON")
            # Room for the bulk reads (the export sorts a period's revisions): with the
            # default 2 MB the sort spills to temporary files. Pages are taken as used.
            conn.execute(f"PRAGMA cache_size = -{READER_CACHE_KIB}")
    except sqlite3.Error as e:
        conn.close()
        raise StorageError(f"cannot set up database {path}: {e}") from e
    except BaseException:
        conn.close()
        raise
    return conn


async def connect(
    path: Path, *, synchronous: str, busy_timeout_ms: int, read_only: bool
) -> aiosqlite.Connection:
    """An aiosqlite connection (statements run on its own thread) with our PRAGMAs."""

    def opener() -> sqlite3.Connection:
        return open_connection(
            path, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms, read_only=read_only
        )

    return await aiosqlite.Connection(opener, iter_chunk_size=64)
