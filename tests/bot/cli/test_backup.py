"""`baocao backup`: a verified, consistent copy while a writer keeps writing; no overwrite."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from storage import Database


async def test_backup_while_a_writer_writes_is_consistent(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = await Database.open(office.parent / "baocao.sqlite3")
    written = 0
    stop = asyncio.Event()

    async def writer() -> None:
        # Each transaction writes a pair: a copy holding half a pair would be inconsistent.
        nonlocal written
        while not stop.is_set():
            async with db.write() as tx:
                await tx.outbox.enqueue("telegram", "1", {"n": written, "half": 0})
                await tx.outbox.enqueue("telegram", "1", {"n": written, "half": 1})
            written += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        while written < 20:
            await asyncio.sleep(0)
        dest = tmp_path / "copy.sqlite3"
        code = await asyncio.to_thread(
            main, ["backup", "--config", str(office), "--out", str(dest)]
        )
        during = written
        while written < during + 5:  # the writer was never blocked for good
            await asyncio.sleep(0)
    finally:
        stop.set()
        await task
        await db.close()
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "integrity_check: ok" in out and str(dest) in out
    conn = sqlite3.connect(dest)
    try:
        rows = conn.execute("SELECT json_extract(payload, '$.n'), COUNT(*) FROM outbox GROUP BY 1")
        pairs = dict(rows.fetchall())
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    print(f"\nbackup during writes: {len(pairs)} of {written} transactions in the copy")
    assert 20 <= len(pairs) <= written
    assert set(pairs.values()) == {2}
    assert sorted(pairs) == list(range(len(pairs)))  # a prefix: nothing skipped
    # The copy opens as baocao's database.
    copy = await Database.open(dest)
    async with copy.read() as r:
        assert await r.outbox.pending_count() == 2 * len(pairs)
    await copy.close()


def test_backup_refuses_to_overwrite_without_force(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_create(office.parent / "baocao.sqlite3"))
    dest = tmp_path / "old-backup.sqlite3"
    dest.write_bytes(b"an older backup")
    assert main(["backup", "--config", str(office), "--out", str(dest)]) == 1
    assert "--force" in capsys.readouterr().err
    assert dest.read_bytes() == b"an older backup"
    assert main(["backup", "--config", str(office), "--out", str(dest), "--force"]) == 0
    missing = tmp_path / "no-such-folder" / "b.sqlite3"
    assert main(["backup", "--config", str(office), "--out", str(missing)]) == 1
    assert "Chưa có thư mục" in capsys.readouterr().err
    assert dest.read_bytes().startswith(b"SQLite format 3\x00")


def test_backup_without_a_database_or_of_a_foreign_file_says_so(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "b.sqlite3"
    assert main(["backup", "--config", str(office), "--out", str(dest)]) == 1
    assert "Chưa có cơ sở dữ liệu" in capsys.readouterr().err
    foreign = office.parent / "baocao.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    assert main(["backup", "--config", str(office), "--out", str(dest)]) == 1
    assert "chương trình khác" in capsys.readouterr().err
    assert foreign.read_bytes() == before and not dest.exists()


async def _create(path: Path) -> None:
    db = await Database.open(path)
    await db.close()
