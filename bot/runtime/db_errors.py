"""Vietnamese explanations of why the database file cannot be used, for the command line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storage import (
    CorruptDatabaseError,
    DiskFullError,
    EmptyDatabaseError,
    ForeignDatabaseError,
    NewerSchemaError,
    StorageError,
)
from storage.fileprobe import probe
from storage.inspection import check_file
from storage.schema import latest_version
from templates.catalog import text


def explain(error: StorageError, path: Path) -> str:
    """What went wrong with the database at `path` and how to fix it (cli.database.*)."""
    if isinstance(error, NewerSchemaError):
        return text("cli.database.newer", path=error.path, found=error.found, known=error.known)
    if isinstance(error, EmptyDatabaseError):
        return text("cli.database.empty", path=error.path)
    if isinstance(error, ForeignDatabaseError):
        return text("cli.database.foreign", path=error.path)
    if isinstance(error, CorruptDatabaseError):
        # The cause (e.g. "file is not a database") stays in English: it is SQLite's word.
        detail = str(error.__cause__) if error.__cause__ else text("cli.database.not_sqlite")
        return text("cli.database.corrupt", path=error.path, detail=detail)
    if isinstance(error, DiskFullError):
        return text("cli.database.full", path=path)
    return text("cli.database.other", path=path, detail=str(error))


def startup_problem(path: Path) -> str | None:
    """Why the database at `path` must not be opened, in Vietnamese; None if it may be.

    Reads only. Beyond the file probe (ours, readable, a schema we know) it runs
    PRAGMA quick_check, so damage inside the file is reported before the bot starts instead
    of failing some write later on.
    """
    if not path.is_file():
        return None
    try:
        probe(path, latest_version())
        health = check_file(path)
    except StorageError as error:
        return explain(error, path)
    except sqlite3.DatabaseError as error:
        return text("cli.database.corrupt", path=path, detail=str(error))
    if not health.ok:
        return text("cli.database.corrupt", path=path, detail="; ".join(health.problems[:3]))
    return None
