"""Focal points work in private chats only: an invite typed in a group is refused (the code
stays good), a group is told to write privately, and no prompt or reminder goes to a group."""

from __future__ import annotations

import pytest

from tests.support.harness import OFFICE_USER, BotUnderTest

ALICE = 1001
BOB = 1002
GROUP = -4001
SUPERGROUP = -1001234567890


@pytest.mark.parametrize("chat", [GROUP, SUPERGROUP])
async def test_an_invite_typed_in_a_group_is_refused_and_stays_good(
    bot: BotUnderTest, chat: int
) -> None:
    code = await bot.invite("SYT")
    bot.fake.user_sends_command(ALICE, "start", code, chat_id=chat)
    refused = (await bot.fake.wait_for_messages(chat, 1))[-1].plain_text or ""
    assert "Mã mời chỉ dùng trong tin nhắn riêng với bot" in refused
    assert "mã vẫn còn dùng được" in refused
    async with bot.db.read() as r:
        assert await r.focal_points.units_of("telegram", str(ALICE)) == []
    welcome = await bot.command(ALICE, "start", code)
    assert "đầu mối báo cáo của Sở Y tế" in welcome


async def test_a_focal_point_in_a_group_is_told_to_write_privately(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    bot.fake.user_sends_command(ALICE, "baocao", chat_id=GROUP)
    told = await bot.fake.wait_for_messages(GROUP, 1)
    assert [m.plain_text for m in told] == [
        "Bot chỉ làm việc trong tin nhắn riêng: hãy nhắn riêng cho bot, không nhắn trong nhóm."
    ]


async def test_a_reminder_never_goes_to_a_group_registered_before_groups_were_refused(
    bot: BotUnderTest,
) -> None:
    async with bot.db.write() as tx:  # as the old code registered a group
        await tx.focal_points.add("SYT", "telegram", str(ALICE), str(GROUP), "A", bot.clock())
    await bot.register(BOB, "BDT")
    await bot.command(OFFICE_USER, "nhacnho")
    before = len(bot.fake.sent_to(BOB))
    done = await bot.press(OFFICE_USER, "🔔 Nhắc ngay")
    assert "Đã xếp 1 tin nhắc tới 1 đầu mối" in done
    await bot.fake.wait_for_messages(BOB, before + 1)
    await bot.command(OFFICE_USER, "trangthai")  # one more round trip: the outbox is drained
    assert bot.fake.sent_to(GROUP) == []
