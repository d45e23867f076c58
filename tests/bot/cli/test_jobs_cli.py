"""Quarantined jobs: the delivery worker sets aside a job cut short too often and tells the
office once; `baocao doctor` lists it; `baocao jobs list|retry|drop` shows, requeues or drops
it; the nightly purge keeps it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.doctor.checks
from bot.cli.main import main
from bot.runtime.clock import system_clock
from bot.runtime.delivery import DeliveryWorker
from bot.runtime.jobs import JobsChannel
from bot.runtime.ratelimit import Limits, RateLimiter
from bot.workspace.load import load_workspace
from handlers.jobs import IMPORT_TICKETS, JOBS_CHANNEL
from storage import Database
from tests.support.offices import init_office

PAYLOAD = {
    "job": IMPORT_TICKETS,
    "file_name": "phieu <lớn>.xlsx",
    "file_ref": "f1",
    "reply_channel": "telegram",
    "by": "telegram:900",
}


async def _crashed_job(config: Path, runs_cut_short: int) -> int:
    """A queued import job whose runs were cut short `runs_cut_short` times (as kills leave
    it), then one look of the delivery worker, as at the next start."""
    workspace = load_workspace(config)
    db = await Database.open(workspace.settings.storage.path)
    try:
        async with db.write() as tx:
            job = await tx.outbox.enqueue(JOBS_CHANNEL, "900", PAYLOAD)
            assert job is not None
            for _ in range(runs_cut_short):
                await tx.outbox.start_run(job)
        jobs = JobsChannel(db, workspace, system_clock, lambda: None)
        worker = DeliveryWorker(
            db, {JOBS_CHANNEL: jobs}, RateLimiter(Limits(0, 0, 0)), system_clock
        )
        await worker.send_due()
        await asyncio.sleep(0.2)
        return job
    finally:
        await db.close()


async def _outbox(config: Path) -> tuple[list[str], int, int | None]:
    """Notices queued for the office, the job's runs and whether it is quarantined."""
    db = await Database.open(load_workspace(config).settings.storage.path)
    try:
        async with db.read() as r:
            due = await r.outbox.due(datetime.now(UTC) + timedelta(days=1), limit=100)
            quarantined = await r.outbox.quarantined()
        notices = [m.payload["text"] for m in due if m.channel == "telegram"]
        return notices, len(quarantined), quarantined[0].runs if quarantined else None
    finally:
        await db.close()


def _run(config: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main([*args, "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_job_cut_short_twice_is_quarantined_listed_retried_and_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bot.doctor.checks, "MIN_FREE_MB", 0)
    config = init_office(tmp_path / "office")
    job = asyncio.run(_crashed_job(config, 2))
    notices, quarantined, runs = asyncio.run(_outbox(config))
    assert (quarantined, runs) == (1, 3)
    assert len(notices) == 1
    assert "phieu &lt;lớn&gt;.xlsx" in notices[0] and "2 lần" in notices[0]
    assert f"baocao jobs retry {job}" in notices[0]

    code, out = _run(config, capsys, "doctor", "--offline")
    assert code == 1
    assert "[CẦN SỬA] Việc bị tạm gác: 1 việc bị ngắt giữa chừng nhiều lần" in out
    assert f"{job} (nhập tệp phiếu «phieu <lớn>.xlsx»)" in out

    code, out = _run(config, capsys, "jobs", "list")
    assert code == 0 and f"{job}: nhập tệp phiếu «phieu <lớn>.xlsx»" in out

    assert _run(config, capsys, "jobs", "retry", str(job))[0] == 0
    assert asyncio.run(_outbox(config))[1:] == (0, None)
    assert _run(config, capsys, "jobs", "retry", str(job))[0] == 1  # no longer quarantined

    # Retried, it runs at the next look (the file cannot be fetched here: the office is
    # told so) and is no longer quarantined: nothing to drop.
    asyncio.run(_crashed_job(config, 0))
    code, out = _run(config, capsys, "jobs", "drop", str(job))
    assert code == 1 and "Không có việc bị tạm gác" in out


def test_a_job_within_its_attempts_runs(tmp_path: Path) -> None:
    config = init_office(tmp_path / "office")
    asyncio.run(_crashed_job(config, 1))
    notices, quarantined, _ = asyncio.run(_outbox(config))
    assert quarantined == 0
    # It ran (the file could not be fetched: no platform here) and told the office so.
    assert len(notices) == 1 and "tạm gác" not in notices[0]


async def test_a_quarantined_job_is_kept_by_the_purge_until_dropped(db: Database) -> None:
    async with db.write() as tx:
        job = await tx.outbox.enqueue(JOBS_CHANNEL, "900", PAYLOAD)
        assert job is not None
        assert await tx.outbox.quarantine(job, "cut short 2 times")
        later = datetime.now(UTC) + timedelta(days=400)
        assert await tx.outbox.purge_settled(later) == 0
        assert await tx.outbox.drop(job)
        assert await tx.outbox.purge_settled(later) == 1
