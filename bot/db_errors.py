"""Vietnamese explanations of why the database file cannot be used, for the command line."""

from __future__ import annotations

from pathlib import Path

from bot.texts import text
from storage import (
    CorruptDatabaseError,
    DiskFullError,
    ForeignDatabaseError,
    NewerSchemaError,
    StorageError,
)


def explain(error: StorageError, path: Path) -> str:
    """What went wrong with the database at `path` and how to fix it (cli.database.*)."""
    if isinstance(error, NewerSchemaError):
        return text("cli.database.newer", path=error.path, found=error.found, known=error.known)
    if isinstance(error, ForeignDatabaseError):
        return text("cli.database.foreign", path=error.path)
    if isinstance(error, CorruptDatabaseError):
        # The cause (e.g. "file is not a database") stays in English: it is SQLite's word.
        detail = str(error.__cause__) if error.__cause__ else "không đúng định dạng SQLite"
        return text("cli.database.corrupt", path=error.path, detail=detail)
    if isinstance(error, DiskFullError):
        return text("cli.database.full", path=path)
    return text("cli.database.other", path=path, detail=str(error))
