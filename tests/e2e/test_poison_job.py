"""A job that kills the bot cannot loop: SIGKILL the real `baocao run` during a ticket import,
again after the restart, and the next start quarantines the job instead of running it a third
time; the office is told once, even across a further restart, and nothing is half imported.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.harness import OFFICE_USER, write_workspace

# Long enough to read that the kill lands during the import, even on a fast machine.
ROWS = 100_000
STARTUP_TIMEOUT = 30.0
_START = "import sys; from bot.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _export() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["Mã phiếu", "Ngày tiếp nhận", "Đơn vị xử lý", "Nội dung"])
    writer.writerows(
        [f"PA-{i:06d}", "01/02/2022", "Sở Y tế", f"Phản ánh số {i} về ngập nước"]
        for i in range(ROWS)
    )
    return out.getvalue().encode("utf-8-sig")


def _until(condition: Callable[[], bool], what: str, bot: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not condition():
        assert bot.poll() is None, f"the bot exited while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _job(database: Path) -> tuple[int, str | None] | None:
    """The import job's runs and quarantine mark, read as another process would."""
    if not database.exists():
        return None
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as conn:
        try:
            row = conn.execute(
                "SELECT runs, quarantined_at FROM outbox WHERE channel = 'jobs'"
            ).fetchone()
        except sqlite3.OperationalError:  # not migrated yet
            return None
    return None if row is None else (int(row[0]), row[1])


def _tickets(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_an_import_killed_twice_is_quarantined_and_the_office_told_once(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    with FakeTelegramServer() as fake:
        fake.disable_limits()
        config = write_workspace(tmp_path, fake.base_url)
        database = tmp_path / "baocao.sqlite3"
        env = {**os.environ, "BAOCAO_TEST_TOKEN": fake.token, "NO_PROXY": "127.0.0.1"}
        log = (tmp_path / "bot.log").open("ab")
        running: list[subprocess.Popen[bytes]] = []

        def start() -> subprocess.Popen[bytes]:
            before = fake.get_updates_calls
            bot = subprocess.Popen(
                [sys.executable, "-c", _START, "run", "--config", str(config)],
                cwd=tmp_path, env=env, stdout=log, stderr=log,
            )  # fmt: skip
            running.append(bot)
            _until(lambda: fake.get_updates_calls > before, "polling", bot)
            return bot

        def notices() -> list[str]:
            return [m.text for m in fake.sent_to(OFFICE_USER) if "tạm gác" in m.text]

        try:
            bot = start()
            fake.user_sends_document(OFFICE_USER, "phieu lon.csv", _export())
            kills = []
            for run in (1, 2):
                _until(lambda r=run: (_job(database) or (0, None))[0] >= r, f"run {run}", bot)  # type: ignore[misc]
                bot.send_signal(signal.SIGKILL)
                bot.wait(10)
                kills.append(bot.returncode)
                assert _tickets(database) == 0  # killed during the import: nothing saved
                bot = start()
            _until(lambda: bool(notices()), "the office's notice", bot)
            job = _job(database)
            assert job is not None and job[1] is not None  # quarantined
            assert job[0] == 3  # the third start was recorded, and not run
            # A clean stop and another start: the job stays set aside, no second notice.
            bot.terminate()
            assert bot.wait(20) == 0
            bot = start()
            time.sleep(2.0)
            bot.terminate()
            bot.wait(20)
        finally:
            for process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
            log.close()
        sent = notices()
    assert kills == [-signal.SIGKILL, -signal.SIGKILL]
    assert len(sent) == 1
    assert "phieu lon.csv" in sent[0] and "2 lần" in sent[0]
    assert "baocao jobs retry" in sent[0]
    assert _tickets(database) == 0
    figures(
        f"poison job: killed during the import twice, quarantined at start 3, notices={len(sent)}"
    )
