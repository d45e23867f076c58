"""Reminders and overdue tickets: reminders carry the tickets button while some overdue ticket
is unanswered, and a unit that sent its figures but not its answers is chased about them once
per timetable step."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fakes.telegram_server import FakeTelegramServer
from harness import BotUnderTest, Clock, stop_or_explain
from test_tickets import CSV
from test_timetable import at, start_early, texts, tick_at

from bot.tickets_import import import_tickets

ALICE = 1001  # SYT: seven overdue tickets, sends her figures on time
BOB = 1002  # BDT: one overdue ticket, never sends his figures
TICKETS = "📨 Phiếu quá hạn"
CHASE = "Nhắc trả lời phiếu phản ánh quá hạn"


def buttons(bot: BotUnderTest, chat: int) -> list[str]:
    """The button labels of the newest message to a chat."""
    return [label for row in bot.fake.sent_to(chat)[-1].buttons for label, _ in row]


async def test_reminders_carry_the_tickets_button_and_chase_unanswered_tickets(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await start_early(tmp_path, fake_telegram, Clock(at(5, 9)), monkeypatch)
    try:
        await bot.register(ALICE, "SYT")
        await bot.register(BOB, "BDT")
        async with bot.db.write() as tx:
            settings = bot.workspace.settings.tickets
            await import_tickets(
                tx, CSV, "phieu.csv", settings=settings, today=date(2022, 2, 5), changed_by="t"
            )
        await tick_at(bot, at(10, 8))
        assert f"{TICKETS} (7)" in buttons(bot, ALICE)
        await bot.press(ALICE, "📝 Nhập số liệu")
        for value in ("259", "2.386", "472", "1.914"):
            await bot.say(ALICE, value)
        await bot.press(ALICE, "Bỏ qua")
        await bot.press(ALICE, "✅ Gửi báo cáo")

        # 14/02: Bob's figures reminder carries his ticket; Alice, whose figures are in, is
        # reminded of her tickets alone.
        await tick_at(bot, at(14, 8))
        assert "Nhắc báo cáo kỳ 02/2022" in texts(bot, BOB)[-1]
        assert buttons(bot, BOB) == ["📝 Nhập số liệu", f"{TICKETS} (1)"]
        chase = texts(bot, ALICE)[-1]
        assert CHASE in chase and "còn 7/7 phiếu quá hạn chưa trả lời" in chase
        assert buttons(bot, ALICE) == [f"{TICKETS} (7)"]
        await tick_at(bot, at(14, 9))  # the step is done: never twice
        assert sum(CHASE in t for t in texts(bot, ALICE)) == 1

        # Bob answers about his ticket from the reminder: the next one has no tickets button.
        await bot.press(BOB, TICKETS)
        await bot.press(BOB, "📌 Tất cả vẫn đang xử lý")
        await tick_at(bot, at(15, 8))
        assert "(hôm nay)" in texts(bot, BOB)[-1]
        assert buttons(bot, BOB) == ["📝 Nhập số liệu"]
        assert sum(CHASE in t for t in texts(bot, ALICE)) == 2  # the deadline's step

        # Alice answers: the late steps leave her alone.
        await bot.press(ALICE, TICKETS)
        await bot.press(ALICE, "📌 Tất cả vẫn đang xử lý")
        quiet = len(texts(bot, ALICE))
        await tick_at(bot, at(16, 8))
        assert "đã trễ hạn" in texts(bot, BOB)[-1]
        assert len(texts(bot, ALICE)) == quiet
    finally:
        await stop_or_explain(bot)
