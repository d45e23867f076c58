"""Bringing a database file up to the schema version of the code, one transaction per step."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from storage.errors import MigrationError, NewerSchemaError
from storage.schema import APPLICATION_ID, Migration, migrations


async def user_version(conn: aiosqlite.Connection) -> int:
    """The schema version recorded in the file header."""
    rows = list(await conn.execute_fetchall("PRAGMA user_version"))
    return int(rows[0][0])


async def migrate(conn: aiosqlite.Connection, path: Path) -> int:
    """Apply every pending migration in order; return the resulting schema version."""
    steps = migrations()
    for step in steps:
        await _apply(conn, path, step, known=len(steps))
    return await user_version(conn)


async def _apply(conn: aiosqlite.Connection, path: Path, step: Migration, known: int) -> None:
    """Apply one migration unless the file already has it; all or nothing."""
    # IMMEDIATE takes the write lock before the version is read, so two processes opening
    # the same file cannot both apply the same step.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        current = await user_version(conn)
        if current > known:
            raise NewerSchemaError(
                path,
                f"{path} was upgraded to schema {current} by a newer baocao while opening; "
                f"this version knows up to {known}. Upgrade baocao.",
                found=current,
                known=known,
            )
        if current >= step.version:
            await conn.execute("ROLLBACK")
            return
        for statement in step.statements:
            try:
                await conn.execute(statement)
            except sqlite3.Error as e:
                raise MigrationError(f"{step.name} failed on {statement[:60]!r}: {e}") from e
        if step.version == 1:
            await conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        # A migration that rebuilds tables must not leave dangling references behind.
        violations = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
        if violations:
            broken = [tuple(v) for v in violations]
            raise MigrationError(f"{step.name} broke foreign keys: {broken}")
        # PRAGMA user_version is transactional: it commits or rolls back with the step.
        await conn.execute(f"PRAGMA user_version = {step.version}")
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
