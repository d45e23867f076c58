"""Files that are not ours (or too new) are refused with a clear error and left untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage import (
    CorruptDatabaseError,
    Database,
    DatabaseFileError,
    ForeignDatabaseError,
    NewerSchemaError,
    StorageError,
)
from storage.schema import APPLICATION_ID, latest_version
from tests.support.storage_helpers import sha256


async def assert_refused(
    path: Path, error: type[DatabaseFileError], match: str
) -> DatabaseFileError:
    """Opening raises `error` naming the file, and leaves the folder exactly as it was."""
    before = sha256(path)
    listing = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(error, match=match) as caught:
        await Database.open(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert sha256(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing
    return caught.value


async def test_a_garbage_file_is_corrupt(db_path: Path) -> None:
    db_path.write_bytes(b"ma so thue,ten don vi\n" * 200)
    error = await assert_refused(db_path, CorruptDatabaseError, "not a SQLite database")
    assert isinstance(error, StorageError)


async def test_a_damaged_sqlite_file_is_corrupt(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    data = bytearray(db_path.read_bytes())
    data[16:100] = b"\xff" * 84  # page size and the rest of the header: garbage
    db_path.write_bytes(bytes(data))
    await assert_refused(db_path, CorruptDatabaseError, "cannot be read")


async def test_a_foreign_database_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('Nguyễn Văn A')")
    conn.commit()
    conn.close()
    await assert_refused(db_path, ForeignDatabaseError, "other program")


async def test_a_foreign_wal_database_is_refused_without_side_files(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    await assert_refused(db_path, ForeignDatabaseError, "other program")


async def test_a_database_with_another_application_id_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA application_id = 12345")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    await assert_refused(db_path, ForeignDatabaseError, "other program")


async def test_a_newer_schema_is_refused(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    error = await assert_refused(db_path, NewerSchemaError, "newer baocao")
    assert isinstance(error, NewerSchemaError)
    assert (error.found, error.known) == (latest_version() + 1, latest_version())
    assert "Upgrade baocao" in str(error)


async def test_our_own_file_passes_the_check(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    db = await Database.open(db_path)
    await db.close()


async def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open database"):
        await Database.open(tmp_path / "no" / "such" / "dir" / "baocao.sqlite3")
