"""Opening a file: migrations from empty, re-opening, and the PRAGMAs of every connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.runtime.db_errors import explain
from storage import ConstraintError, Database, EmptyDatabaseError, MigrationError
from storage.schema import APPLICATION_ID, Migration, latest_version, migrations, split_statements

EXPECTED_TABLES = {
    "units",
    "focal_points",
    "invites",
    "failed_logins",
    "periods",
    "obligations",
    "answers",
    "revisions",
    "inbox",
    "outbox",
    "conversations",
    "schedule_steps",
    "drafts",
    "tickets",
    "ticket_revisions",
    "ticket_imports",
    "web_secret",
    "web_logins_used",
    "web_sessions",
    "reminders_sent",
    "draft_reviews",
    "office_people",
}


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    finally:
        conn.close()
    return {r[0] for r in rows}


def header_pragma(path: Path, name: str) -> int | str:
    conn = sqlite3.connect(path)
    try:
        value: int | str = conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()
    return value


def test_migration_files_are_found_in_the_package() -> None:
    found = migrations()
    assert [m.version for m in found] == list(range(1, len(found) + 1))
    assert found[0].name == "0001_initial.sql"
    assert any(s.startswith("CREATE TRIGGER") or "CREATE TRIGGER" in s for s in found[0].statements)


async def test_open_creates_and_migrates_an_absent_file(db_path: Path) -> None:
    assert not db_path.exists()
    db = await Database.open(db_path)
    await db.close()
    assert tables(db_path) == EXPECTED_TABLES
    assert header_pragma(db_path, "user_version") == latest_version()
    assert header_pragma(db_path, "application_id") == APPLICATION_ID
    assert header_pragma(db_path, "journal_mode") == "wal"


async def test_an_empty_zero_byte_file_is_refused_and_left_as_it_is(db_path: Path) -> None:
    # A truncated database or a failed copy: setting it up as new would hide the loss.
    db_path.write_bytes(b"")
    with pytest.raises(EmptyDatabaseError, match="empty"):
        await Database.open(db_path)
    assert db_path.read_bytes() == b""
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]
    assert "rỗng (0 byte)" in explain(EmptyDatabaseError(db_path, ""), db_path)


async def test_reopening_keeps_data_and_applies_nothing(db_path: Path) -> None:
    db = await Database.open(db_path)
    async with db.write() as tx:
        await tx.conversations.put("telegram", "1", {"step": "ask"})
    await db.close()
    schema_before = _schema(db_path)

    db = await Database.open(db_path)
    async with db.read() as r:
        assert await r.conversations.get("telegram", "1") == {"step": "ask"}
    await db.close()
    assert _schema(db_path) == schema_before
    assert header_pragma(db_path, "user_version") == latest_version()


def _schema(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()


async def test_every_connection_gets_the_pragmas(db: Database) -> None:
    pragmas = await db.pragmas()
    for role in ("writer", "reader"):
        assert pragmas[f"{role}.journal_mode"] == "wal"
        assert pragmas[f"{role}.foreign_keys"] == 1
        assert pragmas[f"{role}.synchronous"] == 2  # FULL
        assert pragmas[f"{role}.busy_timeout"] == 5000
    assert pragmas["writer.query_only"] == 0
    assert pragmas["reader.query_only"] == 1
    assert pragmas["user_version"] == latest_version()


async def test_synchronous_is_a_parameter(db_path: Path) -> None:
    db = await Database.open(db_path, synchronous="normal", busy_timeout_ms=1234)
    try:
        pragmas = await db.pragmas()
    finally:
        await db.close()
    assert pragmas["writer.synchronous"] == 1  # NORMAL
    assert pragmas["reader.synchronous"] == 1
    assert pragmas["writer.busy_timeout"] == 1234


async def test_an_unknown_synchronous_level_is_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="synchronous"):
        await Database.open(db_path, synchronous="FULL; DROP TABLE units")
    assert not db_path.exists()


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(ConstraintError, match="FOREIGN KEY"):
        async with db.write() as tx:
            await tx.focal_points.add("NO_SUCH_UNIT", "telegram", "1", "1")


def test_split_statements_keeps_triggers_and_comments_whole() -> None:
    script = """
-- a comment; with a semicolon
CREATE TABLE t (x TEXT DEFAULT ';');
CREATE TRIGGER t_no_delete BEFORE DELETE ON t
BEGIN
    SELECT RAISE(ABORT, 'no');
END;
-- trailing comment
"""
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[0].endswith("CREATE TABLE t (x TEXT DEFAULT ';');")
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


def test_split_statements_rejects_an_unterminated_statement() -> None:
    with pytest.raises(MigrationError, match="unterminated"):
        split_statements("CREATE TABLE t (x TEXT);\nCREATE TABLE u (y TEXT)\n")


async def test_a_failing_migration_rolls_back_entirely(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(db_path)
    await db.close()
    # One step past the shipped ones, whatever their number.
    latest = latest_version()
    broken = Migration(
        latest + 1,
        "9999_broken.sql",
        ("CREATE TABLE extra (x TEXT);", "INSERT INTO no_such_table VALUES (1);"),
    )
    monkeypatch.setattr("storage.migrator.migrations", lambda: (*migrations(), broken))
    with pytest.raises(MigrationError, match=r"9999_broken\.sql"):
        await Database.open(db_path)
    assert header_pragma(db_path, "user_version") == latest
    assert "extra" not in tables(db_path)


async def test_a_second_migration_is_applied_on_open(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(db_path)
    await db.close()
    latest = latest_version()
    step = Migration(latest + 1, "9999_more.sql", ("CREATE TABLE extra (x TEXT);",))
    monkeypatch.setattr("storage.migrator.migrations", lambda: (*migrations(), step))
    db = await Database.open(db_path)
    await db.close()
    assert header_pragma(db_path, "user_version") == latest + 1
    assert "extra" in tables(db_path)
