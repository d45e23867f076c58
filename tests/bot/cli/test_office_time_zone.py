"""Every command and chat path shows times in the office's time zone, not the default one.

The office here is in Asia/Tokyo (UTC+9), two hours ahead of the default Asia/Ho_Chi_Minh:
a time shown in the wrong zone is two hours off.
"""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.console import ConsoleIdentity
from bot.cli.chat import run_console
from bot.cli.main import main
from bot.workspace.load import load_workspace
from storage import Database
from tests.support.offices import edit_file


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No config path leaks in from the machine running the tests."""
    monkeypatch.delenv("BAOCAO_CONFIG", raising=False)


@pytest.fixture
def office(office: Path) -> Path:
    """The office made by `baocao init`, moved to Tokyo; its config path."""
    edit_file(office, 'timezone = "Asia/Ho_Chi_Minh"', 'timezone = "Asia/Tokyo"')
    return office


def test_check_prints_the_opening_and_deadline_in_the_office_zone(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", str(office), "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out
    assert "mở lúc 08:00 10/02/2022; hạn nộp 17:00 15/02/2022" in out


def test_remind_queues_the_deadline_in_the_office_zone(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def register() -> None:
        async with await Database.open(office.parent / "baocao.sqlite3") as db, db.write() as tx:
            await tx.units.sync_all(list(load_workspace(office).units))
            await tx.focal_points.add("SYT", "telegram", "77", "77", "Chị Lan")

    asyncio.run(register())
    assert main(["remind", "--config", str(office)]) == 0
    capsys.readouterr()
    with sqlite3.connect(office.parent / "baocao.sqlite3") as db:
        (payload,) = db.execute("SELECT payload FROM outbox").fetchone()
    reminder = json.loads(payload)["text"]
    # Every deadline of the starter regime is at 17:00, office time (15:00 in Vietnam).
    assert "17:00 " in reminder and "15:00 " not in reminder


def test_the_office_chat_says_when_a_period_was_locked_in_the_office_zone(
    office: Path, tmp_path: Path
) -> None:
    out = io.StringIO()
    at_one_utc = datetime(2022, 2, 16, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, 08:00 in Vietnam
    lines = iter(["/khoa 02/2022", "1", "/khoa 02/2022"])
    identity = ConsoleIdentity("thu", None)
    workspace = load_workspace(office)
    files = tmp_path / "files"
    assert run_console(workspace, identity, files, lines, out, "so_bot", lambda: at_one_utc) == 0
    assert "Kỳ 02/2022 đã khóa từ 10:00 16/02/2022." in out.getvalue()
