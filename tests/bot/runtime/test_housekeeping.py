"""Housekeeping on a real SQLite file with a clock the test moves: old traffic records go,
pending ones and everything else stay, and recent updates are still refused as repeats."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.channels import zalo
from bot.runtime.housekeeping import Purged, housekeeping, purge_old
from bot.runtime.inbox import store_updates
from bot.runtime.timetable import Scheduler
from bot.workspace.config import load_settings
from bot.workspace.problems import ConfigError
from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import ReportingRegime, parse_period
from domain.units import Unit
from storage import Database
from tests.support.clock import START, FakeClock
from tests.support.offices import init_office

PERIOD = parse_period("2022-02")
KEEP_DAYS = 90


def _telegram(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {"text": "1", "chat": {"id": 7}}}


def _zalo(message_id: str) -> dict[str, Any]:
    return {"event_name": zalo.TEXT_EVENT, "message": {"message_id": message_id, "text": "1"}}


async def _handle_all(db: Database, channel: str, external_ids: list[str]) -> None:
    """Mark the stored updates handled, as the inbox worker does."""
    async with db.write() as tx:
        for item in await tx.inbox.next_unhandled(limit=1000):
            if item.channel == channel and item.external_id in external_ids:
                await tx.inbox.mark_handled(item.id)


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ("inbox", "outbox", "answers", "revisions", "obligations", "units")
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


async def test_old_settled_rows_go_pending_stay_and_recent_repeats_are_refused(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.units.sync_all([Unit("SYT", "Sở Y tế", "Sở", ("dvc",))])
        await tx.obligations.ensure([Obligation("SYT", "dvc", PERIOD)])
        await tx.answers.set(Answer("SYT", "dvc", PERIOD.key, "hs", "120"), "u")
    # Day 0: five Telegram updates (three handled, one waiting, one given up on after five
    # failures), two Zalo messages handled; four messages out (sent, failed, unknown, queued).
    assert await store_updates(db, "telegram", [_telegram(n) for n in range(1, 6)]) == 5
    assert await store_updates(db, "zalo", [_zalo("z1"), _zalo("z2")]) == 2
    await _handle_all(db, "telegram", ["1", "2", "3"])
    await _handle_all(db, "zalo", ["z1", "z2"])
    async with db.write() as tx:
        given_up = next(i for i in await tx.inbox.next_unhandled() if i.external_id == "5")
        for n in range(5):
            await tx.inbox.mark_failed(given_up.id, f"boom {n}")
        out = [await tx.outbox.enqueue("telegram", "7", {"text": str(n)}) for n in range(4)]
        sent, failed, unknown, queued = (i for i in out if i is not None)
        await tx.outbox.mark_sent(sent)
        await tx.outbox.mark_failed(failed, "blocked")
        await tx.outbox.mark_unknown(unknown, "timeout")
    # Day 89: one more of each, handled and sent.
    clock.now = START + timedelta(days=KEEP_DAYS - 1)
    assert await store_updates(db, "telegram", [_telegram(6)]) == 1
    assert await store_updates(db, "zalo", [_zalo("z3")]) == 1
    await _handle_all(db, "telegram", ["6"])
    await _handle_all(db, "zalo", ["z3"])
    async with db.write() as tx:
        recent = await tx.outbox.enqueue("telegram", "7", {"text": "recent"})
        assert recent is not None
        await tx.outbox.mark_sent(recent)
    before = _counts(db.path)

    clock.now = START + timedelta(days=KEEP_DAYS, hours=1)
    purged = await purge_old(db, KEEP_DAYS, clock, batch=2)

    assert purged == Purged(inbox=5, outbox=2)
    after = _counts(db.path)
    assert after["inbox"] == before["inbox"] - 5 and after["outbox"] == before["outbox"] - 2
    assert before["answers"] == 1
    for table in ("answers", "revisions", "obligations", "units"):
        assert after[table] == before[table]
    async with db.read() as r:
        left = {item.external_id for item in await r.inbox.next_unhandled(max_attempts=99)}
        assert left == {"4", "5"}  # unhandled: kept however old
        assert [m.id for m in await r.outbox.unknown()] == [unknown]
        assert await r.outbox.get(queued) is not None and await r.outbox.get(recent) is not None
        assert await r.outbox.get(sent) is None and await r.outbox.get(failed) is None
    # Recent updates delivered again are still recognised as repeats.
    assert await store_updates(db, "telegram", [_telegram(6)]) == 0
    assert await store_updates(db, "zalo", [_zalo("z3")]) == 0
    # The pending update is still handled normally afterwards.
    async with db.read() as r:
        assert [i.external_id for i in await r.inbox.next_unhandled()] == ["4"]


def _rows(path: Path, table: str, column: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute(f"SELECT {column} FROM {table}")}


async def test_dead_dashboard_sessions_and_old_used_links_go_live_ones_stay(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        assert await tx.web.use_login("old-nonce", "telegram:900")
        for name, hours in (("expired", 10), ("logged-out", 30), ("live", 30)):
            await tx.web.open_session(name, "telegram:900", "t", START + timedelta(hours=hours))
        await tx.web.end_session("logged-out")
    clock.now = START + timedelta(days=1, hours=2)
    async with db.write() as tx:
        assert await tx.web.use_login("recent-nonce", "telegram:900")

    purged = await purge_old(db, KEEP_DAYS, clock)

    assert (purged.web_sessions, purged.web_links) == (2, 1)
    assert _rows(db.path, "web_sessions", "cookie_hash") == {"live"}
    assert _rows(db.path, "web_logins_used", "nonce") == {"recent-nonce"}
    async with db.write() as tx:
        assert await tx.web.session("live", clock()) is not None
        assert not await tx.web.use_login("recent-nonce", "telegram:900")  # still single-use


async def test_a_large_backlog_is_deleted_over_several_runs_in_batches(
    db: Database, clock: FakeClock
) -> None:
    assert await store_updates(db, "telegram", [_telegram(n) for n in range(1, 12)]) == 11
    await _handle_all(db, "telegram", [str(n) for n in range(1, 12)])
    clock.now = START + timedelta(days=KEEP_DAYS + 1)
    first = await purge_old(db, KEEP_DAYS, clock, batch=3, max_batches=2)
    assert first.inbox == 6
    second = await housekeeping(db, KEEP_DAYS, clock)
    assert second is not None and second.inbox == 5
    assert _counts(db.path)["inbox"] == 0


async def test_a_full_disk_is_logged_not_raised(
    db: Database, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await store_updates(db, "telegram", [_telegram(1)])
    await _handle_all(db, "telegram", ["1"])
    await db.close()  # any storage error will do: a closed database refuses every write
    clock.now = START + timedelta(days=KEEP_DAYS + 1)
    assert await housekeeping(db, KEEP_DAYS, clock) is None
    assert "housekeeping failed" in caplog.text


async def test_the_scheduler_runs_it_daily_and_keeps_it_when_replanning(
    db: Database,
) -> None:
    async def daily() -> None:
        """Stands for App.housekeeping; APScheduler only needs a coroutine function."""

    def no_context(tx: Any) -> Any:
        raise AssertionError("the timetable is not run here")

    scheduler = Scheduler(db, no_context, ReportingRegime(), lambda: START, lambda: None, daily)
    scheduler.start()
    try:
        assert scheduler._aps is not None
        job = scheduler._aps.get_job("daily")
        assert job is not None and "hour='3', minute='15'" in str(job.trigger)
        scheduler._replan()  # drops the step jobs it planned, never this one
        assert scheduler._aps.get_job("daily") is not None
    finally:
        scheduler.stop()


def test_keep_days_is_read_and_too_short_refused(tmp_path: Path) -> None:
    config = init_office(tmp_path / "office")
    assert load_settings(config).storage.keep_days == 90
    source = config.read_text(encoding="utf-8")
    config.write_text(source.replace("keep_days = 90", "keep_days = 1"), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert [p.key for p in error.value.problems] == ["storage.keep_days"]
