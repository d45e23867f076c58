"""Office commands: reminders on demand, opening, locking, unlocking one unit, blocked chats."""

from __future__ import annotations

import pytest

from tests.support.harness import OFFICE_USER, BotUnderTest
from tests.support.steps import submit_form

ALICE = 1001  # SYT
BOB = 1002  # BDT


@pytest.mark.slow
async def test_remind_now_asks_then_reminds_only_laggards(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    await submit_form(bot, ALICE)
    alice_before = len(bot.fake.sent_to(ALICE))
    ask = await bot.command(OFFICE_USER, "nhacnho")
    assert "Nhắc 2 đơn vị chưa gửi báo cáo kỳ 02/2022?" in ask
    assert "• Bưu điện tỉnh <Trà Vinh> & Co" in ask and "Sở Y tế" not in ask
    before_bob = len(bot.fake.sent_to(BOB))
    done = await bot.press(OFFICE_USER, "🔔 Nhắc ngay")
    assert "Đã xếp 1 tin nhắc tới 1 đầu mối" in done  # VP has no focal point yet
    reminder = (await bot.fake.wait_for_messages(BOB, before_bob + 1))[-1].plain_text or ""
    assert "Nhắc báo cáo kỳ 02/2022" in reminder
    assert len(bot.fake.sent_to(ALICE)) == alice_before


async def test_lock_stops_edits_and_unlock_reopens_one_unit(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    await submit_form(bot, ALICE)
    asked = await bot.command(OFFICE_USER, "khoa", "02/2022")
    assert "Khóa kỳ 02/2022?" in asked and "Còn 2 đơn vị chưa gửi báo cáo kỳ này." in asked
    assert "Tóm tắt" in await bot.command(ALICE, "sua")  # nothing locked until confirmed
    locked = await bot.press(OFFICE_USER, "🔒 Khóa kỳ 02/2022")
    assert "Đã khóa kỳ 02/2022" in locked
    again = await bot.command(OFFICE_USER, "khoa", "02/2022")
    assert "Kỳ 02/2022 đã khóa từ" in again
    assert "đã khóa" in await bot.command(ALICE, "sua")
    assert "đã khóa" in await bot.command(BOB, "baocao")  # not a question to answer in vain
    before = len(bot.fake.sent_to(ALICE))
    unlocked = await bot.command(OFFICE_USER, "mokhoa", "SYT")
    assert "Đã mở khóa kỳ 02/2022 cho Sở Y tế (1 biểu mẫu)" in unlocked
    notice = (await bot.fake.wait_for_messages(ALICE, before + 1))[-1].plain_text or ""
    assert "mở lại báo cáo kỳ 02/2022" in notice
    edit = await bot.command(ALICE, "sua")
    assert "Tóm tắt" in edit
    assert "đã khóa" in await bot.command(BOB, "baocao")  # the others stay locked


@pytest.mark.slow
async def test_open_now_prompts_units_once(bot: BotUnderTest) -> None:
    await bot.register(BOB, "BDT")
    before = len(bot.fake.sent_to(BOB))
    opened = await bot.command(OFFICE_USER, "mo", "03/2022")
    assert "Đã mở kỳ báo cáo 03/2022: xếp 1 tin" in opened
    prompt = (await bot.fake.wait_for_messages(BOB, before + 1))[-1].plain_text or ""
    assert "Kỳ báo cáo 03/2022 đã mở" in prompt
    again = await bot.command(OFFICE_USER, "mo", "03/2022")
    assert "xếp 0 tin" in again


@pytest.mark.slow
async def test_a_blocked_chat_is_marked_unreachable_and_the_office_told_once(
    bot: BotUnderTest,
) -> None:
    await bot.register(BOB, "BDT")
    bot.fake.block_chat(BOB)
    office_before = len(bot.fake.sent_to(OFFICE_USER))
    await bot.command(OFFICE_USER, "nhacnho")
    await bot.press(OFFICE_USER, "🔔 Nhắc ngay")
    messages = await bot.fake.wait_for_messages(OFFICE_USER, office_before + 3)
    told = [m.plain_text or "" for m in messages if "Không gửi được tin" in (m.plain_text or "")]
    assert len(told) == 1 and "Bưu điện tỉnh <Trà Vinh> & Co" in told[0]
    status = await bot.command(OFFICE_USER, "trangthai")
    assert "🚫 Không liên lạc được: 1" in status
    # A second failed reminder does not tell the office again.
    await bot.command(OFFICE_USER, "nhacnho")
    await bot.press(OFFICE_USER, "🔔 Nhắc ngay")
    await bot.command(OFFICE_USER, "trangthai")
    texts = [m.plain_text or "" for m in bot.fake.sent_to(OFFICE_USER)]
    assert sum("Không gửi được tin" in t for t in texts) == 1
    async with bot.db.read() as r:
        people = await r.focal_points.list_for_unit("BDT")
    assert people[0].unreachable_at is not None


async def test_the_office_gets_the_draft_and_is_told_when_it_goes_out_of_date(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    await submit_form(bot, ALICE)
    before = len(bot.fake.sent_to(OFFICE_USER))
    started = await bot.command(OFFICE_USER, "tonghop")
    assert "Đang tổng hợp dự thảo báo cáo kỳ 02/2022" in started
    messages = await bot.fake.wait_for_messages(OFFICE_USER, before + 3, timeout=20)
    documents = [m for m in messages if m.document_name]
    # The draft, and apart from it the review sheet (never inside the report).
    assert [m.document_name for m in documents] == [
        "BC-STTTT-VP_2022-02_v1.docx",
        "BC-STTTT-VP_2022-02_v1_ra-soat.docx",
    ]
    draft = documents[0]
    assert draft.document_bytes is not None and draft.document_bytes.startswith(b"PK")
    assert "02/2022" in (draft.caption or "")
    # Alice corrects a figure: the office learns the draft is out of date, once.
    await bot.command(ALICE, "sua")
    await bot.press(ALICE, "✏ Sửa")
    await bot.say(ALICE, "1")
    count = len(bot.fake.sent_to(OFFICE_USER))
    await bot.say(ALICE, "260")
    told = await bot.fake.wait_for_messages(OFFICE_USER, count + 1)
    assert "Dự thảo báo cáo kỳ 02/2022 đã cũ: Sở Y tế vừa sửa số liệu" in (
        told[-1].plain_text or ""
    )
    await bot.say(ALICE, "2: 2.387")
    texts = [m.plain_text or "" for m in bot.fake.sent_to(OFFICE_USER)]
    assert sum("đã cũ" in t for t in texts) == 1
    async with bot.db.read() as r:
        latest = await r.drafts.latest("2022-02")
    assert latest is not None and latest.version == 1 and latest.stale


async def test_the_office_gets_the_workbook(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await submit_form(bot, ALICE)
    before = len(bot.fake.sent_to(OFFICE_USER))
    await bot.command(OFFICE_USER, "xuat", "02/2022")
    messages = await bot.fake.wait_for_messages(OFFICE_USER, before + 2, timeout=20)
    workbook = [m for m in messages if m.document_name]
    # Named as the drafts are (BC-STTTT-VP_2022-02_v1.docx).
    assert workbook and workbook[0].document_name == "BC-STTTT-VP_2022-02.xlsx"
    assert workbook[0].document_bytes is not None
    assert workbook[0].document_bytes.startswith(b"PK")
