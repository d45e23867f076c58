"""Online backups: a consistent copy of the live database, published atomically."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import aiosqlite

from storage.errors import StorageError
from storage.fileprobe import probe
from storage.schema import latest_version

# Long enough to outwait any one transaction of the running bot.
_BUSY_TIMEOUT_MS = 5000


async def copy_database(source: aiosqlite.Connection, dest: Path) -> None:
    """Copy the database behind `source` to `dest`, replacing it only once the copy is whole."""
    partial = dest.with_name(dest.name + ".partial")
    try:
        await asyncio.to_thread(_remove_with_side_files, partial)
        async with aiosqlite.connect(partial, isolation_level=None) as target:
            # pages=0 copies everything in one step: a single consistent snapshot that
            # writers (other connections, WAL mode) neither block nor force to restart.
            await source.backup(target, pages=0)
            # A standalone single file is easier to move around than a WAL-mode one.
            await target.execute("PRAGMA journal_mode = DELETE")
        await asyncio.to_thread(_publish, partial, dest)
    except (sqlite3.Error, OSError) as e:
        raise StorageError(f"backup to {dest} failed: {e}") from e


async def backup_file(source: Path, dest: Path) -> None:
    """Copy the database file `source` to `dest` while another process may be writing to it.

    The source is checked first (fileprobe: never a foreign or damaged file) and only read;
    a missing source is an error rather than a new empty database.
    """
    if not source.is_file():
        raise StorageError(f"{source} does not exist")
    if dest.resolve() == source.resolve():
        raise StorageError("the backup must go to another file than the database itself")
    await asyncio.to_thread(probe, source, latest_version())
    uri = source.resolve().as_uri() + "?mode=ro"
    try:
        async with aiosqlite.connect(uri, uri=True, isolation_level=None) as conn:
            await conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            await copy_database(conn, dest)
    except sqlite3.Error as e:
        raise StorageError(f"cannot read {source}: {e}") from e


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _publish(partial: Path, dest: Path) -> None:
    """Rename into place and sync the directory, so the backup survives a power loss."""
    os.replace(partial, dest)
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
