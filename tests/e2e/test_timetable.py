"""A whole reporting month in fast time: opening, reminders, deadline, late notices, restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import FakeClock
from tests.support.harness import OFFICE_USER, BotUnderTest, start_bot, stop_or_explain
from tests.support.steps import at, start_with_token, texts, tick_at

ALICE = 1001  # SYT: answers on time
BOB = 1002  # BDT: never answers
CAROL = 1003  # VP: never answers either


@pytest.fixture
def early_clock() -> FakeClock:
    """05/02/2022: before period 02/2022 opens on the 10th."""
    return FakeClock(at(5, 9))


@pytest.mark.slow
async def test_a_month_of_prompts_reminders_and_late_notices(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    early_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await start_with_token(tmp_path, fake_telegram, early_clock, monkeypatch)
    try:
        for user, unit in ((ALICE, "SYT"), (BOB, "BDT"), (CAROL, "VP")):
            await bot.register(user, unit)
        registered = {user: len(texts(bot, user)) for user in (ALICE, BOB, CAROL)}

        await tick_at(bot, at(9, 9))  # nothing is due before the opening
        assert {u: len(texts(bot, u)) for u in registered} == registered

        await tick_at(bot, at(10, 8))
        for user in (ALICE, BOB, CAROL):
            prompt = texts(bot, user)[-1]
            assert "Kỳ báo cáo 02/2022 đã mở" in prompt
            assert "Số liệu từ 15/01/2022 đến 14/02/2022. Hạn gửi: 17:00 15/02/2022." in prompt
        assert "Cần gửi: Chứng thư số, Ghi chú." in texts(bot, CAROL)[-1]
        # The prompt's button starts the answering.
        first = await bot.press(ALICE, "📝 Nhập số liệu")
        assert "Câu 1/5" in first
        for value in ("259", "2.386", "472", "1.914"):
            await bot.say(ALICE, value)
        await bot.press(ALICE, "Bỏ qua")
        await bot.press(ALICE, "✅ Gửi báo cáo")
        alice_done = len(texts(bot, ALICE))

        # 3 days before the deadline is Saturday 12/02: moved to Monday 14/02, where it
        # meets the 1-day reminder: one message.
        await tick_at(bot, at(12, 8))
        await tick_at(bot, at(13, 8))
        assert "Nhắc báo cáo" not in texts(bot, BOB)[-1]
        await tick_at(bot, at(14, 8))
        reminder = texts(bot, BOB)[-1]
        assert "Nhắc báo cáo kỳ 02/2022" in reminder and "(còn 1 ngày)" in reminder
        assert "• Chứng thư số: đã trả lời 0/5 câu" in reminder
        await tick_at(bot, at(14, 20))
        assert sum("Nhắc báo cáo" in t for t in texts(bot, BOB)) == 1

        await tick_at(bot, at(15, 8))
        assert "(hôm nay)" in texts(bot, BOB)[-1]
        await tick_at(bot, at(15, 18))
        notice = texts(bot, OFFICE_USER)[-1]
        assert "Kỳ 02/2022 đã hết hạn" in notice
        assert "2 đơn vị chưa gửi" in notice
        assert "• Bưu điện tỉnh <Trà Vinh> & Co" in notice and "• Văn phòng UBND tỉnh" in notice
        assert "Sở Y tế" not in notice

        await tick_at(bot, at(16, 8))
        late = texts(bot, BOB)[-1]
        assert "đã trễ hạn báo cáo kỳ 02/2022 1 ngày" in late
        # Alice submitted: she got nothing after her receipt.
        assert len(texts(bot, ALICE)) == alice_done
        # No message went out in quiet hours or twice.
        assert sum("trễ hạn" in t for t in texts(bot, BOB)) == 1
    finally:
        await stop_or_explain(bot)


@pytest.mark.slow
async def test_a_restart_never_repeats_and_downtime_sends_only_what_is_still_useful(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    early_clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await start_with_token(tmp_path, fake_telegram, early_clock, monkeypatch)
    await bot.register(BOB, "BDT")
    await tick_at(bot, at(10, 8))
    await tick_at(bot, at(14, 9))
    before = texts(bot, BOB)
    assert "Nhắc báo cáo" in before[-1]
    await stop_or_explain(bot)

    # Down over the deadline morning reminder and the office notice; back on 16/02 09:00.
    early_clock.now = at(16, 9)
    bot = await start_bot(tmp_path, fake_telegram, early_clock)  # start() catches up
    try:
        await tick_at(bot, at(16, 9, 1))
        after = texts(bot, BOB)[len(before) :]
        assert len(after) == 1, after
        assert "đã trễ hạn báo cáo kỳ 02/2022 1 ngày" in after[0]
        notices = [t for t in texts(bot, OFFICE_USER) if "đã hết hạn" in t]
        assert len(notices) == 1
        async with bot.db.read() as r:
            done = await r.schedule.done_steps("2022-02")
        assert ("BDT", "remind-0d") in done  # skipped, never to be sent late
        await stop_or_explain(bot)
        bot = await start_bot(tmp_path, fake_telegram, early_clock)
        await tick_at(bot, at(16, 10))
        assert texts(bot, BOB)[len(before) :] == after
    finally:
        await stop_or_explain(bot)


async def test_a_fresh_install_does_not_chase_periods_it_never_opened(
    bot: BotUnderTest,
) -> None:
    await bot.register(BOB, "BDT")
    bot.clock.now = at(11, 9)
    assert bot.app.scheduler is not None
    outcome = await bot.app.scheduler.tick()
    assert all(period == "2022-02" for period, _, _ in outcome.sent + outcome.skipped)
