"""Joining with an invite link; strangers get an explanation and nothing else."""

from __future__ import annotations

from tests.support.harness import OFFICE_USER, BotUnderTest

UNIT_USER = 1001


async def test_a_good_invite_registers_and_greets(bot: BotUnderTest) -> None:
    code = await bot.invite("SYT")
    reply = await bot.command(UNIT_USER, "start", code)
    assert "đầu mối báo cáo của Sở Y tế" in reply
    assert "Chứng thư số (5 câu)" in reply
    assert "02/2022" in reply and "17:00 15/02/2022" in reply
    async with bot.db.read() as r:
        assert await r.focal_points.units_of("telegram", str(UNIT_USER)) == ["SYT"]


async def test_a_used_code_is_refused(bot: BotUnderTest) -> None:
    code = await bot.invite("SYT")
    await bot.command(UNIT_USER, "start", code)
    reply = await bot.command(1002, "start", code)
    assert "đã được dùng" in reply
    async with bot.db.read() as r:
        assert await r.focal_points.units_of("telegram", "1002") == []


async def test_an_expired_code_is_refused(bot: BotUnderTest) -> None:
    code = await bot.invite("SYT", days=1)
    bot.clock.advance(days=2)
    reply = await bot.command(UNIT_USER, "start", code)
    assert "hết hạn" in reply


async def test_five_wrong_codes_lock_the_chat_for_an_hour(bot: BotUnderTest) -> None:
    for attempt in range(5):
        reply = await bot.command(UNIT_USER, "start", f"wrong{attempt}")
        assert "Mã mời không đúng" in reply
        assert f"còn {4 - attempt} lần thử" in reply
    good = await bot.invite("SYT")
    reply = await bot.command(UNIT_USER, "start", good)
    assert "sai mã mời quá nhiều lần" in reply
    bot.clock.advance(hours=1, minutes=1)
    reply = await bot.command(UNIT_USER, "start", good)
    assert "đầu mối báo cáo của Sở Y tế" in reply


async def test_a_stranger_learns_how_to_register_and_nothing_else(bot: BotUnderTest) -> None:
    for text in ("/baocao", "/trangthai", "1.234", "/sua"):
        bot.clock.advance(minutes=1)  # a stranger is answered at most once a minute
        if text.startswith("/"):
            reply = await bot.command(2001, text[1:])
        else:
            reply = await bot.say(2001, text)
        assert "Để đăng ký" in reply
        assert "Sở Y tế" not in reply and "Tiến độ" not in reply


async def test_office_invites_in_chat(bot: BotUnderTest) -> None:
    reply = await bot.command(OFFICE_USER, "moi", "syt")
    assert "Link mời đầu mối của Sở Y tế" in reply
    link = reply.split("\n")[-1]
    assert link.startswith("https://t.me/baocao_test_bot?start=")
    code = link.split("start=")[1]
    assert len(code) <= 64
    reply = await bot.command(UNIT_USER, "start", code)
    assert "Sở Y tế" in reply
    unknown = await bot.command(OFFICE_USER, "moi", "XYZ")
    assert "Không có đơn vị mã «XYZ»" in unknown


async def test_office_lists_and_removes_focal_points(bot: BotUnderTest) -> None:
    await bot.register(UNIT_USER, "SYT")
    listing = await bot.command(OFFICE_USER, "daumoi", "SYT")
    assert "Đầu mối của Sở Y tế" in listing
    reply = await bot.press(OFFICE_USER, "Gỡ")
    assert "Đã gỡ đầu mối" in reply
    reply = await bot.command(UNIT_USER, "baocao")
    assert "Để đăng ký" in reply


async def test_office_commands_answer_only_office_staff(bot: BotUnderTest) -> None:
    await bot.register(UNIT_USER, "SYT")
    reply = await bot.command(UNIT_USER, "moi", "SYT")
    assert "t.me" not in reply
    reply = await bot.command(UNIT_USER, "trangthai")
    assert "Tiến độ" not in reply


async def test_anyone_learns_their_own_telegram_id_to_put_in_the_config(bot: BotUnderTest) -> None:
    told = await bot.command(1777, "toi")
    assert "Mã người dùng của anh/chị trên Telegram: 1777" in told
    assert "admins = [1777]" in told


async def test_a_stranger_repeating_himself_is_answered_once_a_minute(bot: BotUnderTest) -> None:
    for text in ("chào", "alo", "có ai không"):
        await bot.say(2001, text) if text == "chào" else bot.fake.user_sends_text(2001, text)
    await bot.command(OFFICE_USER, "trangthai")  # handled after the stranger's messages
    assert len(bot.fake.sent_to(2001)) == 1
    bot.clock.advance(minutes=1)
    assert "Để đăng ký" in await bot.say(2001, "alo")
