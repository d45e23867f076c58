"""Errors raised by the storage layer; callers never need to catch sqlite3 exceptions."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class StorageError(Exception):
    """Base class of every error the storage layer raises on purpose."""


class DatabaseFileError(StorageError):
    """The database file cannot be used as it is; it was left untouched."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class CorruptDatabaseError(DatabaseFileError):
    """The file is not a readable SQLite database."""


class EmptyDatabaseError(DatabaseFileError):
    """The file is there but empty (0 bytes): never taken for a new database, since it may
    be a database that was truncated or a copy that failed."""


class ForeignDatabaseError(DatabaseFileError):
    """The file is a SQLite database that belongs to some other program."""


class NewerSchemaError(DatabaseFileError):
    """The file was written by a newer baocao whose schema this version does not know."""

    def __init__(self, path: Path, message: str, found: int, known: int) -> None:
        super().__init__(path, message)
        self.found = found
        self.known = known


class MigrationError(StorageError):
    """A migration file is malformed or failed to apply (its transaction was rolled back)."""


class ConstraintError(StorageError):
    """A write broke a constraint of the schema (missing parent row, duplicate key, bad value)."""


class NotFoundError(StorageError, LookupError):
    """A write referred to a row that does not exist."""


class TransactionClosedError(StorageError):
    """A repository was used after its `db.read()` / `db.write()` block ended."""


class DatabaseBusyError(StorageError):
    """Another process held the write lock for longer than the busy timeout."""


class DatabaseClosedError(StorageError):
    """The database was used after `close()`."""


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full: nothing of the transaction was kept.

    Temporary by nature: the same write succeeds once space is freed, so callers keep the
    work (an unacknowledged update, an unhandled event) and retry later.
    """


def is_disk_full(error: sqlite3.Error) -> bool:
    """Whether SQLite refused a write for lack of space (SQLITE_FULL)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (int(code) & 0xFF) == sqlite3.SQLITE_FULL
    return "database or disk is full" in str(error)


def is_busy(error: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for a lock another connection holds (BUSY or LOCKED)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (int(code) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)
