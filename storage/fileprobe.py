"""Deciding, without writing a byte, whether an existing file may be opened as our database."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.errors import (
    CorruptDatabaseError,
    DiskFullError,
    EmptyDatabaseError,
    ForeignDatabaseError,
    NewerSchemaError,
)
from storage.schema import APPLICATION_ID

# Less free space than this beside the database, and a failure to open it is a full disk.
LOW_SPACE_BYTES = 1024 * 1024
_SIDE_SUFFIXES = ("", "-wal", "-shm", "-journal")

_SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class FileState:
    """What the probe found: the schema version of the file (0 for a new, empty file)."""

    user_version: int


def probe(path: Path, known_version: int) -> FileState:
    """Check the file at `path`; raise a DatabaseFileError subclass if it is not ours to open."""
    if not path.exists():
        return FileState(0)
    if path.stat().st_size == 0:
        # SQLite would set up a new database in it; but an empty file where the database
        # should be is a truncated one or a failed copy, and the office must decide.
        raise EmptyDatabaseError(
            path,
            f"{path} is empty (0 bytes), not a baocao database. Restore it from a backup; "
            "or, to start a new database, delete the file. It was not changed.",
        )
    with path.open("rb") as f:
        header = f.read(len(_SQLITE_MAGIC))
    if header != _SQLITE_MAGIC:
        raise CorruptDatabaseError(
            path,
            f"{path} is not a SQLite database (damaged, or some other kind of file). "
            "Point baocao at the right file, or restore it from a backup; it was not changed.",
        )
    try:
        user_version, application_id, tables = _read_identity(path)
    except sqlite3.DatabaseError as e:
        raise CorruptDatabaseError(
            path,
            f"{path} cannot be read as a SQLite database ({e}). "
            "Restore it from a backup; it was not changed.",
        ) from e
    # Migration 1 stamps APPLICATION_ID; without it only an empty database is acceptable.
    if application_id != APPLICATION_ID and (application_id or user_version or tables):
        raise ForeignDatabaseError(
            path,
            f"{path} is a SQLite database of some other program, not of baocao. "
            "Choose another file name for baocao's database; this file was not changed.",
        )
    if user_version > known_version:
        raise NewerSchemaError(
            path,
            f"{path} has schema version {user_version}, written by a newer baocao; this "
            f"version knows up to {known_version}. Upgrade baocao (or restore a backup made "
            "by this version); the file was not changed.",
            found=user_version,
            known=known_version,
        )
    return FileState(user_version)


def _read_identity(path: Path) -> tuple[int, int, list[str]]:
    """Read user_version, application_id and table names through a read-only connection."""
    # Without a WAL file the main file is complete, and immutable=1 reads it without
    # locking or creating -wal/-shm side files; with one, a plain read-only open must
    # merge it (it still never writes the main file).
    wal = path.with_name(path.name + "-wal")
    query = "?mode=ro" if wal.exists() else "?mode=ro&immutable=1"
    conn = sqlite3.connect(path.resolve().as_uri() + query, uri=True)
    try:
        user_version = conn.execute("PRAGMA user_version").fetchone()[0]
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    finally:
        conn.close()
    return int(user_version), int(application_id), tables


def existing_files(path: Path) -> set[Path]:
    """The database file and its side files (-wal, -shm, -journal) that exist now."""
    return {p for p in _side_files(path) if p.exists()}


def out_of_space(path: Path, error: Exception) -> bool:
    """Whether a failure to open the database at `path` comes from a full disk: SQLite says
    "disk I/O error" when it cannot size its -shm file, so the free space decides."""
    if isinstance(error, DiskFullError) or "database or disk is full" in str(error):
        return True
    try:
        return free_bytes(path.parent) < LOW_SPACE_BYTES
    except OSError:
        return False


def free_bytes(folder: Path) -> int:
    """Space left on the disk of `folder` for an ordinary user."""
    return shutil.disk_usage(folder).free


def remove_new_files(path: Path, existed: set[Path]) -> None:
    """Remove what a failed first open created (an empty database file, side files), so
    the next start does not find an empty file where the database should be; files that
    were there before are left alone."""
    for side in _side_files(path):
        if side not in existed:
            side.unlink(missing_ok=True)


def _side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _SIDE_SUFFIXES]
