"""Loading the numbered migration files shipped inside the package."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

from storage.errors import MigrationError

# Written into the file header so a baocao database is recognisable even before its
# tables are looked at (ASCII "BAOC").
APPLICATION_ID = 0x42414F43

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: the version it produces and its SQL statements."""

    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    """Split a SQL script into statements, one ending on each line that completes one."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines(keepends=True):
        buffer.append(line)
        text = "".join(buffer)
        # complete_statement understands quotes, comments and CREATE TRIGGER ... END;
        if sqlite3.complete_statement(text):
            statements.append(text.strip())
            buffer.clear()
    leftover = [ln for ln in buffer if ln.strip() and not ln.strip().startswith("--")]
    if leftover:
        raise MigrationError(f"unterminated SQL statement: {''.join(leftover).strip()[:80]!r}")
    return tuple(statements)


@cache
def migrations() -> tuple[Migration, ...]:
    """All migrations in version order; versions must run 1, 2, 3 ... without gaps."""
    folder = resources.files("storage") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        statements = split_statements(entry.read_text(encoding="utf-8"))
        found.append(Migration(int(match["version"]), entry.name, statements))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migration files must be numbered 1..n without gaps: {versions}")
    return tuple(found)


def latest_version() -> int:
    """The schema version this code produces."""
    return len(migrations())
