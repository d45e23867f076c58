"""What the end-to-end tests do around the running bot: moments of February 2022, a person
sending the form, the timetable's ticks, and the office's list of tickets."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import FakeClock
from tests.support.harness import BotUnderTest, start_bot

# An export of the office's ticket list, in the harness's units' words.
TICKETS_HEADER = "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
# Seven overdue tickets of SYT (two pages), one of BDT, one of SYT not yet due, one handled.
_TICKET_ROWS = [
    *(
        f"PA-{n:03d},0{n}/01/2022,1{n}/01/2022,Sở Y tế,Phản ánh số {n} về <vệ sinh>,Đang xử lý"
        for n in range(1, 8)
    ),
    "PA-101,05/01/2022,20/01/2022,BDT,Thư chậm,Đang xử lý",
    "PA-201,05/02/2022,25/02/2022,Sở Y tế,Chưa tới hạn,Đang xử lý",
    "PA-301,05/01/2022,20/01/2022,Sở Y tế,Đã xong,Đã xử lý",
]
TICKETS_CSV = (TICKETS_HEADER + "\n".join(_TICKET_ROWS) + "\n").encode("utf-8")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of February 2022, Vietnam time."""
    return datetime(2022, 2, day, hour - 7, minute, tzinfo=UTC)


def texts(bot: BotUnderTest, chat: int) -> list[str]:
    """What a chat has received, as its user sees it."""
    return [m.plain_text or "" for m in bot.fake.sent_to(chat)]


async def tick_at(bot: BotUnderTest, moment: datetime) -> None:
    """Move the clock and run the timetable, then let the outbox drain."""
    bot.clock.now = moment
    assert bot.app.scheduler is not None and bot.app.delivery is not None
    await bot.app.scheduler.tick()
    async with bot.db.read() as r:
        pending = await r.outbox.pending_count()
    for _ in range(200):
        if pending == 0:
            return
        await asyncio.sleep(0.05)
        async with bot.db.read() as r:
            pending = await r.outbox.pending_count()
    async with bot.db.read() as r:
        stuck = await r.outbox.due(bot.clock() + timedelta(days=1))
    raise AssertionError(f"{pending} messages still pending: {stuck}")


async def start_with_token(
    tmp_path: Path, fake: FakeTelegramServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> BotUnderTest:
    """Start the bot polling `fake`, its token in the environment as the config names it."""
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake.token)
    return await start_bot(tmp_path, fake, clock)


async def submit_form(bot: BotUnderTest, user: int) -> None:
    """`user` sends the digital-certificate form with the sample's figures, no note."""
    await bot.command(user, "baocao")
    for value in ("259", "2.386", "472", "1.914"):
        await bot.say(user, value)
    await bot.press(user, "Bỏ qua")
    await bot.press(user, "✅ Gửi báo cáo")
