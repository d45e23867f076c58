"""Steps that fell due while the bot was down keep the timetable's rules: quiet hours,
working days, holidays (Tết); each goes out once, as one message."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import FakeClock
from tests.support.harness import OFFICE_USER, BotUnderTest
from tests.support.steps import texts, tick_at

pytestmark = pytest.mark.slow  # a few seconds each: the bot really runs

BOB = 1002  # BDT: never answers
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of February 2022, Vietnam time (early morning too)."""
    return datetime(2022, 2, day, hour, minute, tzinfo=VN)


@pytest.fixture
def clock() -> FakeClock:
    """05/02/2022: before period 02/2022 opens on Thursday 10/02 at 08:00."""
    return FakeClock(at(5, 9))


def _new(bot: BotUnderTest, user: int, seen: int) -> list[str]:
    return texts(bot, user)[seen:]


async def test_an_opening_missed_in_the_day_waits_for_the_end_of_quiet_hours(
    bot: BotUnderTest,
) -> None:
    await bot.register(BOB, "BDT")
    seen = len(texts(bot, BOB))
    # Down over the opening at 08:00, back at 22:00: quiet hours (21:00-07:00).
    await tick_at(bot, at(10, 22))
    await tick_at(bot, at(11, 6, 59))
    assert _new(bot, BOB, seen) == []
    await tick_at(bot, at(11, 7))
    await tick_at(bot, at(11, 7, 5))
    prompts = _new(bot, BOB, seen)
    assert len(prompts) == 1 and "Kỳ báo cáo 02/2022 đã mở" in prompts[0]


async def test_steps_missed_before_quiet_hours_go_out_in_the_morning_as_one(
    bot: BotUnderTest,
) -> None:
    await bot.register(BOB, "BDT")
    await tick_at(bot, at(10, 8))
    seen, office_seen = len(texts(bot, BOB)), len(texts(bot, OFFICE_USER))
    # Down over the deadline day (reminder at 08:00, office notice at 18:00), back at 21:30.
    await tick_at(bot, at(15, 21, 30))
    assert _new(bot, BOB, seen) == [] and _new(bot, OFFICE_USER, office_seen) == []
    # 07:00: the office's notice; the unit's late reminder is due at 08:00 the same day,
    # so the missed deadline-day reminder gives way to it.
    await tick_at(bot, at(16, 7))
    notices = _new(bot, OFFICE_USER, office_seen)
    assert len(notices) == 1 and "Kỳ 02/2022 đã hết hạn" in notices[0]
    assert _new(bot, BOB, seen) == []
    await tick_at(bot, at(16, 8))
    await tick_at(bot, at(16, 9))
    late = _new(bot, BOB, seen)
    assert len(late) == 1 and "đã trễ hạn báo cáo kỳ 02/2022 1 ngày" in late[0]
    async with bot.db.read() as r:
        done = await r.schedule.done_steps("2022-02")
    assert ("BDT", "remind-0d") in done  # skipped, never to be sent late


async def test_a_reminder_missed_on_friday_waits_for_monday(bot: BotUnderTest) -> None:
    await bot.register(BOB, "BDT")
    await tick_at(bot, at(10, 8))
    await tick_at(bot, at(17, 8))  # the late reminder of Thursday 17/02
    seen = len(texts(bot, BOB))
    # Down over Friday's late reminder, back on Saturday morning.
    for moment in (at(19, 10), at(20, 12), at(21, 7)):
        await tick_at(bot, moment)
        assert _new(bot, BOB, seen) == [], moment
    await tick_at(bot, at(21, 8))
    await tick_at(bot, at(21, 10))
    late = _new(bot, BOB, seen)
    assert len(late) == 1 and "đã trễ hạn báo cáo kỳ 02/2022 6 ngày" in late[0]


def _vn(month: int, day: int, hour: int) -> datetime:
    """A moment of 2023, Vietnam time."""
    return datetime(2023, month, day, hour, tzinfo=VN)


async def test_a_reminder_missed_before_tet_waits_for_the_first_working_day_after(
    bot: BotUnderTest,
) -> None:
    # Period 01/2023 is due Monday 16/01/2023 (15/01 is a Sunday); Tết: 20/01 to 26/01.
    bot.clock.now = _vn(1, 9, 9)
    await bot.register(BOB, "BDT")
    await tick_at(bot, _vn(1, 10, 8))
    await tick_at(bot, _vn(1, 18, 8))
    seen = len(texts(bot, BOB))
    assert "đã trễ hạn báo cáo kỳ 01/2023 2 ngày" in texts(bot, BOB)[-1]
    # Down over the late reminder of 19/01, back on the first day off of Tết.
    for moment in (_vn(1, 20, 10), _vn(1, 23, 9), _vn(1, 26, 12), _vn(1, 27, 7)):
        await tick_at(bot, moment)
        assert _new(bot, BOB, seen) == [], moment
    await tick_at(bot, _vn(1, 27, 8))
    await tick_at(bot, _vn(1, 27, 9))
    late = _new(bot, BOB, seen)
    assert len(late) == 1 and "đã trễ hạn báo cáo kỳ 01/2023 11 ngày" in late[0]
