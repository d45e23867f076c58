"""Schedule steps: done at most once, also across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.periods import Period
from storage import OFFICE_WIDE, Database
from storage.repos.schedule import LastReminder
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD


async def test_mark_done_only_once(db: Database) -> None:
    async with db.write() as tx:
        assert await tx.schedule.is_done(PERIOD, "open") is False
        assert await tx.schedule.mark_done(PERIOD, "open") is True
        assert await tx.schedule.mark_done(PERIOD, "open") is False
        assert await tx.schedule.is_done(PERIOD, "open") is True
        # Per unit, and per period, the same step is a different one.
        assert await tx.schedule.mark_done(PERIOD, "remind_d-1", "UBND_A") is True
        assert await tx.schedule.mark_done(PERIOD, "remind_d-1", "UBND_B") is True
        assert await tx.schedule.mark_done(PERIOD, "remind_d-1", "UBND_A") is False
        assert await tx.schedule.is_done(PERIOD, "remind_d-1") is False
        assert await tx.schedule.mark_done(Period(2024, 6), "open") is True
    async with db.read() as r:
        assert await r.schedule.done_steps("2024-05") == {
            (OFFICE_WIDE, "open"),
            ("UBND_A", "remind_d-1"),
            ("UBND_B", "remind_d-1"),
        }


async def test_a_restart_remembers_done_steps(db_path: Path, clock: FakeClock) -> None:
    db = await Database.open(db_path, clock=clock)
    async with db.write() as tx:
        await tx.schedule.mark_done(PERIOD, "deadline_notice")
    await db.close()
    db = await Database.open(db_path, clock=clock)
    try:
        async with db.write() as tx:
            assert await tx.schedule.mark_done(PERIOD, "deadline_notice") is False
    finally:
        await db.close()


async def test_a_rolled_back_step_is_not_done(db: Database) -> None:
    try:
        async with db.write() as tx:
            await tx.schedule.mark_done(PERIOD, "open")
            await tx.outbox.enqueue("telegram", "1", {"text": "Kỳ báo cáo đã mở"})
            raise RuntimeError("sending the prompts failed")
    except RuntimeError:
        pass
    async with db.read() as r:
        assert await r.schedule.is_done(PERIOD, "open") is False
        assert await r.outbox.pending_count() == 0


async def test_the_last_reminder_of_each_unit_is_kept_with_how_many(db: Database) -> None:
    first = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)
    async with db.write() as tx:
        await tx.schedule.reminded(PERIOD, "UBND_A", first)
        await tx.schedule.reminded(PERIOD, "UBND_A", first + timedelta(days=2))
        await tx.schedule.reminded(PERIOD, "UBND_A", first + timedelta(days=1))  # a late write
        await tx.schedule.reminded(PERIOD, "UBND_B", first)
        await tx.schedule.reminded(Period(2024, 6), "UBND_C", first)
    async with db.read() as view:
        found = await view.schedule.last_reminders(PERIOD)
    assert found == {
        "UBND_A": LastReminder(first + timedelta(days=2), 3),
        "UBND_B": LastReminder(first, 1),
    }
