"""Every reminder queued to a unit is recorded for the office's overview: by /nhacnho, by
«Nhắc» of one unit and by the timetable; the opening's prompt is not a reminder, and a unit
nobody can be reached at was not reminded."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.calendar import current_period
from handlers.context import HandlerContext
from handlers.schedule import remind_unit_now, run_due_steps
from storage.repos.schedule import LastReminder
from tests.support.harness import OFFICE_USER
from tests.support.world import World

FOCAL_POINT = 1001


async def _last(world: World) -> dict[str, LastReminder]:
    async with world.db.read() as view:
        return await view.schedule.last_reminders(current_period(world.now, world.catalog.regime))


async def test_nhacnho_and_one_units_reminder_are_recorded(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(FOCAL_POINT, "SYT")
        first = world.now
        await world.press(OFFICE_USER, "nhac:2022-02")
        assert await _last(world) == {"SYT": LastReminder(first, 1)}  # BDT, VP: nobody
        world.now += timedelta(hours=3)
        async with world.db.write() as tx:
            ctx = HandlerContext(world.office, world.catalog, world.now, tx)
            period = current_period(world.now, world.catalog.regime)
            assert await remind_unit_now(ctx, period, "SYT")
            assert await remind_unit_now(ctx, period, "VP") == []
        assert await _last(world) == {"SYT": LastReminder(world.now, 2)}
    finally:
        await world.close()


async def test_the_timetables_reminders_are_recorded_not_its_opening(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(FOCAL_POINT, "SYT")
        moments = []
        for _ in range(10):  # 11/02 to 20/02, one run a day at 09:00 local time
            async with world.db.write() as tx:
                ctx = HandlerContext(world.office, world.catalog, world.now, tx)
                outcome = await run_due_steps(ctx)
            if any(unit == "SYT" and step != "open" for _, unit, step in outcome.sent):
                moments.append(world.now)
            world.now += timedelta(days=1)
        assert moments, "the timetable sent SYT no reminder in 10 days"
        assert await _last(world) == {"SYT": LastReminder(moments[-1], len(moments))}
    finally:
        await world.close()
