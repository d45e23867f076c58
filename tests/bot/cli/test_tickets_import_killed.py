"""`baocao tickets import` killed (as the OOM killer would) while it saves its batches: the
office sees nothing of the import, and the next start deletes what it had written."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.tickets.saving import clear_leftovers
from bot.workspace.load import load_workspace
from storage import Database

BAOCAO = Path(sys.executable).parent / "baocao"
ROWS = 20_000  # enough batches to be caught between two of them
_SAVING = (
    "SELECT COUNT(*) FROM tickets WHERE import_id IN "
    "(SELECT id FROM ticket_imports WHERE state = 'saving')"
)


def _export(path: Path) -> Path:
    lines = ["Mã phiếu,Kênh tiếp nhận,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái"]
    lines += [f"K{n:05d},Zalo,20/01/2022,30/01/2022,Sở Y tế,x,Đang xử lý" for n in range(ROWS)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL")
def test_an_import_killed_between_batches_is_never_shown_and_is_deleted_at_start(
    office: Path, tmp_path: Path
) -> None:
    database = load_workspace(office).settings.storage.path
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    command = [str(BAOCAO), "tickets", "import", str(_export(tmp_path / "phieu.csv"))]
    child = subprocess.Popen([*command, "--config", str(office)], env=env)
    try:
        deadline = time.monotonic() + 120
        while database.exists() is False or _count(database, _SAVING) == 0:
            assert child.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    assert 0 < _count(database, _SAVING) < ROWS

    async def restart() -> tuple[int, int]:
        db = await Database.open(database)
        try:
            async with db.read() as view:
                shown = len(await view.tickets.all())
            return shown, await clear_leftovers(db)
        finally:
            await db.close()

    assert asyncio.run(restart()) == (0, 1)
    assert _count(database, "SELECT COUNT(*) FROM tickets") == 0
    assert _count(database, "SELECT COUNT(*) FROM ticket_revisions") == 0
