"""Reminders and overdue tickets: reminders carry the tickets button while some overdue ticket
is unanswered, and a unit that sent its figures (or owes no form) but not its answers is
chased about them once per timetable step, and by /nhacnho."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from bot.tickets.saving import import_tickets
from tests.support.clock import START, FakeClock
from tests.support.harness import OFFICE_USER, BotUnderTest, start_bot, stop_or_explain
from tests.support.steps import TICKETS_CSV, at, start_with_token, submit_form, texts, tick_at

# Each test waits out the delivery of a period's bulk messages (seconds): left out of the
# quick run (CI runs them).
pytestmark = pytest.mark.slow

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
    bot = await start_with_token(tmp_path, fake_telegram, FakeClock(at(5, 9)), monkeypatch)
    try:
        await bot.register(ALICE, "SYT")
        await bot.register(BOB, "BDT")
        async with bot.db.write() as tx:
            settings = bot.workspace.settings.tickets
            await import_tickets(
                tx,
                TICKETS_CSV,
                "phieu.csv",
                settings=settings,
                today=date(2022, 2, 5),
                changed_by="t",
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


# Two units created on 01/03/2022 owe no form in 02/2022: TTDL holds overdue tickets (its
# focal point DAVE), TTPV holds one not yet due (ERIN); TTCN holds one and has no focal point.
# TTCU was merged away on 31/01/2022 and still holds an overdue ticket (its old focal point
# FRANK): its tickets are the office's to hand on, nobody chases FRANK.
NO_FORM_UNITS = """\
mã đơn vị,tên đơn vị,nhóm,biểu mẫu,hiệu lực từ,hiệu lực đến
BDT,Bưu điện tỉnh <Trà Vinh> & Co,Doanh nghiệp,cts,,
SYT,Sở Y tế,"Sở, ban, ngành",cts,,
VP,Văn phòng UBND tỉnh,"Sở, ban, ngành",cts;ghichu,,
TTDL,Trung tâm Dữ liệu tỉnh,"Sở, ban, ngành",cts,01/03/2022,
TTPV,Trung tâm Phục vụ hành chính công,"Sở, ban, ngành",cts,01/03/2022,
TTCN,Trung tâm Công nghệ thông tin,"Sở, ban, ngành",cts,01/03/2022,
TTCU,Trung tâm Tin học cũ,"Sở, ban, ngành",cts,,31/01/2022
"""
NO_FORM_CSV = (
    "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
    "DL-1,05/01/2022,20/01/2022,TTDL,Mạng chậm,Đang xử lý\n"
    "DL-2,06/01/2022,21/01/2022,TTDL,Cổng dịch vụ công lỗi,Đang xử lý\n"
    "PV-1,01/02/2022,25/02/2022,TTPV,Chưa tới hạn,Đang xử lý\n"
    "CN-1,05/01/2022,20/01/2022,TTCN,Phần mềm lỗi,Đang xử lý\n"
    "YT-1,05/01/2022,20/01/2022,SYT,Bệnh viện đông,Đang xử lý\n"
    "CU-1,05/01/2022,20/01/2022,TTCU,Máy chủ cũ,Đang xử lý\n"
).encode()
DAVE = 1004  # TTDL: owes no form, two overdue tickets
ERIN = 1005  # TTPV: owes no form, no overdue ticket
FRANK = 1006  # TTCU: merged away, an overdue ticket left with it
OPENED = "Kỳ báo cáo 02/2022 đã mở: phiếu phản ánh quá hạn"


async def start_no_form(
    tmp_path: Path, fake: FakeTelegramServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> BotUnderTest:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake.token)
    return await start_bot(tmp_path, fake, clock, units=NO_FORM_UNITS)


async def import_no_form_tickets(bot: BotUnderTest, today: date) -> None:
    async with bot.db.write() as tx:
        settings = bot.workspace.settings.tickets
        await import_tickets(
            tx, NO_FORM_CSV, "phieu.csv", settings=settings, today=today, changed_by="t"
        )


async def test_a_unit_owing_no_form_is_asked_about_its_tickets_once_per_step(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(at(5, 9))
    bot = await start_no_form(tmp_path, fake_telegram, clock, monkeypatch)
    try:
        for user, unit in ((BOB, "BDT"), (DAVE, "TTDL"), (ERIN, "TTPV"), (FRANK, "TTCU")):
            await bot.register(user, unit)
        erin_registered = len(texts(bot, ERIN))
        frank_registered = len(texts(bot, FRANK))
        # Set up ahead of its start, Dave's unit is told when it will first report.
        welcome = texts(bot, DAVE)[-1]
        assert "Đơn vị có hiệu lực từ 01/03/2022: kỳ báo cáo đầu tiên là kỳ 03/2022" in welcome
        assert "/baocao" not in welcome and "/baocao" in texts(bot, BOB)[-1]
        await import_no_form_tickets(bot, date(2022, 2, 5))

        # The opening: Dave is asked about his tickets alone; Bob's prompt is as ever.
        await tick_at(bot, at(10, 8))
        opened = texts(bot, DAVE)[-1]
        assert OPENED in opened and "Trung tâm Dữ liệu tỉnh" in opened
        assert "không phải gửi số liệu" in opened and "có 2 phiếu quá hạn" in opened
        assert "17:00 15/02/2022" in opened
        assert buttons(bot, DAVE) == [f"{TICKETS} (2)"]
        assert buttons(bot, BOB) == ["📝 Nhập số liệu"]
        await tick_at(bot, at(10, 9))
        assert sum(OPENED in t for t in texts(bot, DAVE)) == 1
        await stop_or_explain(bot)

        # Down over the reminder of the 14th and the deadline's morning: back at 09:00 on
        # the 15th, only the latest goes out, once.
        clock.now = at(15, 9)
        bot = await start_bot(tmp_path, fake_telegram, clock, units=NO_FORM_UNITS)
        await tick_at(bot, at(15, 9, 1))
        chases = [t for t in texts(bot, DAVE) if CHASE in t]
        assert len(chases) == 1 and "còn 2/2 phiếu quá hạn chưa trả lời" in chases[0]
        assert buttons(bot, DAVE) == [f"{TICKETS} (2)"]
        async with bot.db.read() as r:
            done = await r.schedule.done_steps("2022-02")
        tickets_only = {("TTDL", f"{key}:tickets") for key in ("open", "remind-3d", "remind-0d")}
        assert tickets_only <= done
        await stop_or_explain(bot)
        bot = await start_bot(tmp_path, fake_telegram, clock, units=NO_FORM_UNITS)
        await tick_at(bot, at(15, 10))
        assert sum(CHASE in t for t in texts(bot, DAVE)) == 1

        # Dave answers: the late steps leave him alone (Bob's late reminder shows they ran).
        await bot.press(DAVE, TICKETS)
        await bot.press(DAVE, "📌 Tất cả vẫn đang xử lý")
        quiet = len(texts(bot, DAVE))
        await tick_at(bot, at(16, 8))
        assert "đã trễ hạn" in texts(bot, BOB)[-1]
        assert len(texts(bot, DAVE)) == quiet
        # Erin's unit owes no form and holds no overdue ticket: nothing, all month; nor for
        # Frank, whose unit no longer exists.
        assert len(texts(bot, ERIN)) == erin_registered
        assert len(texts(bot, FRANK)) == frank_registered
    finally:
        await stop_or_explain(bot)


async def test_remind_now_reaches_units_owing_no_figures_but_answers_about_tickets(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = await start_no_form(tmp_path, fake_telegram, FakeClock(START), monkeypatch)
    try:
        for user, unit in ((ALICE, "SYT"), (DAVE, "TTDL"), (ERIN, "TTPV")):
            await bot.register(user, unit)
        await import_no_form_tickets(bot, date(2022, 2, 11))
        await submit_form(bot, ALICE)  # her figures are in; her ticket is not answered
        before = {user: len(texts(bot, user)) for user in (ALICE, DAVE, ERIN)}

        ask = await bot.command(OFFICE_USER, "nhacnho")
        figures, _, chased = ask.partition("Nhắc thêm 3 đơn vị chưa trả lời về phiếu phản ánh")
        assert "Nhắc 2 đơn vị chưa gửi báo cáo kỳ 02/2022?" in figures
        assert "• Bưu điện tỉnh <Trà Vinh> & Co" in figures and "Sở Y tế" not in figures
        assert "• Sở Y tế" in chased and "• Trung tâm Dữ liệu tỉnh" in chased
        assert "• Trung tâm Công nghệ thông tin" in chased and "Phục vụ" not in ask
        assert "Tin học cũ" not in ask  # merged away: not chased
        done = await bot.press(OFFICE_USER, "🔔 Nhắc ngay")
        assert "Đã xếp 2 tin nhắc tới 2 đầu mối" in done
        assert "3 đơn vị chưa có đầu mối" in done and "Trung tâm Công nghệ thông tin" in done
        for user, count in ((ALICE, 1), (DAVE, 2)):
            reminder = (await bot.fake.wait_for_messages(user, before[user] + 1))[-1]
            assert CHASE in (reminder.plain_text or "")
            assert f"còn {count}/{count} phiếu quá hạn" in (reminder.plain_text or "")
            assert buttons(bot, user) == [f"{TICKETS} ({count})"]
        assert len(texts(bot, ERIN)) == before[ERIN]

        # The office's ticket view lists Dave's unit among those that answered none.
        await bot.command(OFFICE_USER, "trangthai")
        view = await bot.press(OFFICE_USER, "📨 Phiếu quá hạn")
        silent = view.partition("Chưa trả lời về phiếu của mình")[2]
        assert "• Trung tâm Dữ liệu tỉnh" in silent

        # Once Dave and Alice have answered, only the units owing figures (or with no focal
        # point) are left to remind.
        for user in (ALICE, DAVE):
            await bot.press(user, TICKETS)
            await bot.press(user, "📌 Tất cả vẫn đang xử lý")
        again = await bot.command(OFFICE_USER, "nhacnho")
        assert "Nhắc thêm 1 đơn vị chưa trả lời về phiếu phản ánh" in again
        assert "Trung tâm Dữ liệu tỉnh" not in again and "Sở Y tế" not in again
    finally:
        await stop_or_explain(bot)


async def test_opening_by_hand_asks_units_owing_no_form_about_their_tickets_once(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(at(5, 9))
    bot = await start_no_form(tmp_path, fake_telegram, clock, monkeypatch)
    try:
        for user, unit in ((BOB, "BDT"), (DAVE, "TTDL"), (ERIN, "TTPV"), (FRANK, "TTCU")):
            await bot.register(user, unit)
        quiet = {user: len(texts(bot, user)) for user in (ERIN, FRANK)}
        await import_no_form_tickets(bot, date(2022, 2, 5))
        before = len(texts(bot, DAVE))
        opened = await bot.command(OFFICE_USER, "mo", "02/2022")
        assert (
            "xếp 1 tin mời nhập số liệu và 1 tin hỏi về phiếu phản ánh quá hạn" in opened
        )  # Bob's prompt, Dave's tickets
        # TTCN holds an overdue ticket but has nobody to ask: the office is told, as for
        # the units owing figures with no focal point.
        assert "không nhận được tin" in opened and "Trung tâm Công nghệ thông tin" in opened
        asked = (await bot.fake.wait_for_messages(DAVE, before + 1))[-1].plain_text or ""
        assert OPENED in asked and "có 2 phiếu quá hạn" in asked
        assert buttons(bot, DAVE) == [f"{TICKETS} (2)"]
        # The timetable's opening is done for Dave too: never asked twice.
        await tick_at(bot, at(10, 8))
        assert sum(OPENED in t for t in texts(bot, DAVE)) == 1
        assert {user: len(texts(bot, user)) for user in (ERIN, FRANK)} == quiet
    finally:
        await stop_or_explain(bot)


async def test_a_form_given_later_in_the_period_still_gets_its_opening(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(at(5, 9))
    bot = await start_no_form(tmp_path, fake_telegram, clock, monkeypatch)
    try:
        await bot.register(DAVE, "TTDL")
        await import_no_form_tickets(bot, date(2022, 2, 5))
        await tick_at(bot, at(10, 8))
        assert OPENED in texts(bot, DAVE)[-1]  # asked about tickets alone
        await stop_or_explain(bot)

        # The office corrects units.csv: TTDL was in force all along and owes its form.
        clock.now = at(11, 9)
        in_force = NO_FORM_UNITS.replace(
            'TTDL,Trung tâm Dữ liệu tỉnh,"Sở, ban, ngành",cts,01/03/2022,',
            'TTDL,Trung tâm Dữ liệu tỉnh,"Sở, ban, ngành",cts,,',
        )
        assert in_force != NO_FORM_UNITS
        bot = await start_bot(tmp_path, fake_telegram, clock, units=in_force)
        await tick_at(bot, at(11, 9, 1))
        prompt = texts(bot, DAVE)[-1]
        assert "Kỳ báo cáo 02/2022 đã mở – Trung tâm Dữ liệu tỉnh" in prompt
        assert "Cần gửi: Chứng thư số" in prompt
    finally:
        await stop_or_explain(bot)


async def test_a_form_taken_away_in_the_period_does_not_repeat_a_step(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_force = NO_FORM_UNITS.replace(
        'TTDL,Trung tâm Dữ liệu tỉnh,"Sở, ban, ngành",cts,01/03/2022,',
        'TTDL,Trung tâm Dữ liệu tỉnh,"Sở, ban, ngành",cts,,',
    )
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    clock = FakeClock(at(5, 9))
    bot = await start_bot(tmp_path, fake_telegram, clock, units=in_force)
    try:
        await bot.register(DAVE, "TTDL")
        await import_no_form_tickets(bot, date(2022, 2, 5))
        await tick_at(bot, at(10, 8))  # the figures prompt, with the tickets button
        await tick_at(bot, at(14, 9))  # the reminder of the 14th
        assert "Nhắc báo cáo kỳ 02/2022" in texts(bot, DAVE)[-1]
        await stop_or_explain(bot)

        # The office moves TTDL's start to 01/03: it owes no form this period any more.
        clock.now = at(14, 10)
        bot = await start_bot(tmp_path, fake_telegram, clock, units=NO_FORM_UNITS)
        before = len(texts(bot, DAVE))
        await tick_at(bot, at(14, 10, 1))
        assert len(texts(bot, DAVE)) == before  # the 14th's step was done: nothing again
        await tick_at(bot, at(15, 9))  # the deadline's morning: about its tickets alone
        assert CHASE in texts(bot, DAVE)[-1] and len(texts(bot, DAVE)) == before + 1
    finally:
        await stop_or_explain(bot)
