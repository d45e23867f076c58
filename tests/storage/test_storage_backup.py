"""Online backup: a consistent copy while the bot keeps writing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from domain.answers import Answer
from storage import Database, StorageError
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD


async def test_backup_during_an_open_write_copies_committed_data(
    seeded: Database, tmp_path: Path, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(Answer("UBND_A", "BC01", PERIOD.key, "f1", "100"), "u")
    dest = tmp_path / "backups" / "baocao-2024-05-10.sqlite3"
    dest.parent.mkdir()
    async with seeded.write() as tx:
        await tx.answers.set(Answer("UBND_A", "BC01", PERIOD.key, "f1", "200"), "u")
        await tx.answers.set(Answer("UBND_B", "BC01", PERIOD.key, "f1", "7"), "u")
        assert await seeded.backup(dest) == dest
    assert not (dest.parent / (dest.name + ".partial")).exists()

    copy = await Database.open(dest, clock=clock)
    try:
        async with copy.read() as r:
            answers = await r.answers.for_period(PERIOD, "BC01")
            units = await r.units.all()
    finally:
        await copy.close()
    # The open transaction's writes are not in the copy; the committed ones are.
    assert {u: {k: a.value for k, a in f.items()} for u, f in answers.items()} == {
        "UBND_A": {"f1": "100"}
    }
    assert [u.code for u in units] == ["UBND_B", "UBND_A"]
    async with seeded.read() as r:
        assert (await r.answers.get("UBND_B", "BC01", PERIOD, "f1")) is not None


async def test_backup_while_another_task_keeps_writing(seeded: Database, tmp_path: Path) -> None:
    stop = asyncio.Event()
    written = 0

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            async with seeded.write() as tx:
                await tx.outbox.enqueue("telegram", "1", {"n": written})
            written += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await asyncio.sleep(0.05)
    dest = tmp_path / "copy.sqlite3"
    await seeded.backup(dest)
    stop.set()
    await task
    conn = sqlite3.connect(dest)
    try:
        copied = conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # A standalone file: no WAL needed to read it.
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert 0 < copied <= written


async def test_backup_refuses_to_overwrite_the_database(seeded: Database) -> None:
    with pytest.raises(StorageError, match="another file"):
        await seeded.backup(seeded.path)


async def test_backup_into_a_missing_folder_is_a_storage_error(
    seeded: Database, tmp_path: Path
) -> None:
    with pytest.raises(StorageError, match="backup to"):
        await seeded.backup(tmp_path / "no-such-folder" / "copy.sqlite3")
