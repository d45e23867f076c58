"""A damaged, foreign or newer database file: `baocao run` refuses it and changes nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from storage import Database
from tests.support.storage_helpers import sha256


@pytest.fixture
def office(office: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The office made by `baocao init`, with a token set (never used: no network)."""
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "123456:AAUnusedTokenForTheseTests000000000")
    return office


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('x')")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1111576387")  # baocao's (ASCII "BAOC")
    conn.execute("CREATE TABLE units (code TEXT)")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def _garbage(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 a zip file, renamed" * 100)


def _truncated_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)


def _damaged_page(path: Path) -> None:
    """A real baocao database whose table pages were overwritten in the middle."""

    async def create() -> None:
        db = await Database.open(path)
        async with db.write() as tx:
            for n in range(300):
                await tx.outbox.enqueue("telegram", str(n), {"text": "x" * 200})
        await db.close()

    asyncio.run(create())
    with path.open("r+b") as f:
        f.seek(4096 * 20 + 100)
        f.write(b"\x5a" * 3000)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_garbage, "bị hỏng hoặc không phải tệp SQLite"),
        (_truncated_header, "bị hỏng hoặc không phải tệp SQLite"),
        (_foreign, "của một chương trình khác"),
        (_newer, "phiên bản baocao mới hơn"),
        (_damaged_page, "bị hỏng hoặc không phải tệp SQLite"),
    ],
)
def test_run_refuses_a_bad_database_file_and_leaves_it_unchanged(
    office: Path,
    capsys: pytest.CaptureFixture[str],
    make: object,
    expected: str,
) -> None:
    database = office.parent / "baocao.sqlite3"
    assert callable(make)
    make(database)
    before = sha256(database)
    capsys.readouterr()
    assert main(["run", "--config", str(office)]) == 1
    err = capsys.readouterr().err
    assert expected in err and "chưa bị thay đổi" in err and "Cách sửa" in err
    assert sha256(database) == before
    assert sorted(p.name for p in database.parent.glob("baocao.sqlite3*")) == ["baocao.sqlite3"]
