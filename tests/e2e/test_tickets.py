"""Overdue citizen-feedback tickets in chat: a unit answers (one by one, paged, all at once),
the office sees the result, nobody else sees or changes anything, a restart resumes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from bot.tickets.saving import import_tickets
from domain.ticket_answers import ticket_token
from domain.tickets import TicketStatus
from tests.support.clock import FakeClock
from tests.support.harness import OFFICE_USER, BotUnderTest, start_bot, stop_or_explain
from tests.support.steps import TICKETS_CSV, TICKETS_HEADER

ALICE = 1001  # SYT
BOB = 1002  # BDT
STRANGER = 3003
TODAY = date(2022, 2, 11)  # the harness's START, in Vietnam


async def load_tickets(bot: BotUnderTest) -> None:
    """Import the tickets as `baocao tickets import` would."""
    async with bot.db.write() as tx:
        await import_tickets(
            tx,
            TICKETS_CSV,
            "phieu.csv",
            settings=bot.workspace.settings.tickets,
            today=TODAY,
            changed_by="test",
        )


async def test_a_unit_answers_one_by_one_paged_and_all_at_once(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    await load_tickets(bot)
    page = await bot.command(ALICE, "phananh")
    assert "Phiếu phản ánh quá hạn – Sở Y tế" in page
    assert "7 phiếu quá hạn đến ngày 11/02/2022, còn 7 phiếu chưa trả lời" in page
    assert "Trang 1/2" in page
    assert "Phiếu PA-001 – tiếp nhận 01/01/2022, quá hạn 31 ngày" in page
    assert "Phản ánh số 1 về <vệ sinh>" in page
    assert "PA-006" not in page and "PA-101" not in page and "PA-201" not in page

    # Something else typed under the list: what was not understood, and what to do.
    hint = await bot.say(ALICE, "PA-001 <xong>")
    assert "Bot chưa hiểu «PA-001 <xong>»" in hint and "gõ số thứ tự" in hint

    # One by one: the first is handled, the next in progress with a date and a reason.
    handled = await bot.press(ALICE, "✅ PA-001 đã xử lý")
    assert "Đã ghi: phiếu PA-001 đã xử lý" in handled
    assert "6 phiếu quá hạn" in handled and "PA-001" not in handled.split("\n", 1)[1]
    ask = await bot.press(ALICE, "⏳ PA-002 đang xử lý")
    assert "Phiếu PA-002 đang xử lý. Dự kiến xử lý xong ngày nào?" in ask
    assert "ví dụ: 18/02/2022 hoặc 18/2" in ask
    assert "không phải ngày hợp lệ" in await bot.say(ALICE, "30/02/2022")
    assert "đã qua" in await bot.say(ALICE, "01/02/2022")
    assert "cách hôm nay hơn một năm" in await bot.say(ALICE, "20/02/2032")
    reason = await bot.say(ALICE, "28/2")  # this year's, typed short on a phone
    assert "Đã ghi: phiếu PA-002 đang xử lý, dự kiến xong 28/02/2022" in reason
    listed = await bot.say(ALICE, "Chờ ý kiến Sở Tài chính")
    assert "Đã ghi lý do cho phiếu PA-002" in listed
    assert "dự kiến xong 28/02/2022 – Chờ ý kiến Sở Tài chính" in listed
    assert "còn 5 phiếu chưa trả lời" in listed

    # The next page, then the rest at once.
    second = await bot.press(ALICE, "Trang sau")
    assert "Trang 2/2" in second and "Phiếu PA-007" in second
    done = await bot.press(ALICE, "📌 Tất cả vẫn đang xử lý")
    assert "Đã ghi 5 phiếu vẫn đang xử lý" in done
    assert "đơn vị đã trả lời tất cả" in done

    async with bot.db.read() as view:
        first = await view.tickets.get("PA-001")
        second_ticket = await view.tickets.get("PA-002")
        rest = await view.tickets.get("PA-005")
        history = await view.tickets.revisions("PA-002")
    assert first is not None and first.status is TicketStatus.HANDLED
    assert first.reported_by == f"telegram:{ALICE}"
    assert second_ticket is not None and second_ticket.expected_on == date(2022, 2, 28)
    assert second_ticket.reason == "Chờ ý kiến Sở Tài chính"
    assert rest is not None and rest.status is TicketStatus.IN_PROGRESS
    assert rest.reported_by == f"telegram:{ALICE}"
    changed = [(r.field, r.old_value, r.new_value, r.changed_by) for r in history]
    assert ("expected_on", None, "2022-02-28", f"telegram:{ALICE}") in changed
    assert ("reason", None, "Chờ ý kiến Sở Tài chính", f"telegram:{ALICE}") in changed

    # The office sees who answered and who did not.
    await bot.command(OFFICE_USER, "trangthai")
    view_text = await bot.press(OFFICE_USER, "📨 Phiếu quá hạn")
    assert "7 phiếu quá hạn ở 2 đơn vị" in view_text
    assert "• Sở Y tế: 6 phiếu – đã trả lời đủ" in view_text
    assert "• Bưu điện tỉnh <Trà Vinh> & Co: 1 phiếu – chưa trả lời 1" in view_text
    assert "Chưa trả lời về phiếu của mình\n• Bưu điện tỉnh" in view_text


async def test_strangers_and_other_units_see_and_change_nothing(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    await load_tickets(bot)
    stranger = await bot.command(STRANGER, "phananh")
    assert "PA-" not in stranger and "đầu mối" in stranger
    bob = await bot.command(BOB, "phananh")
    assert "PA-101" in bob and "PA-001" not in bob and "Sở Y tế" not in bob

    token = ticket_token("PA-001")
    bob_message = bot.fake.sent_to(BOB)[-1].message_id
    forged = [f"tkd:SYT:{token}", f"tki:SYT:{token}", "tka:SYT", "tkp:SYT:1", f"tkd:BDT:{token}"]
    for data in forged:
        before = len(bot.fake.sent_to(BOB))
        bot.fake.user_presses_button(BOB, bob_message, data, check_button=False)
        reply = (await bot.fake.wait_for_messages(BOB, before + 1))[-1].plain_text or ""
        assert "PA-001" not in reply and "Sở Y tế" not in reply
    bot.clock.advance(minutes=1)  # a stranger is answered at most once a minute
    await bot.command(STRANGER, "start")
    stranger_message = bot.fake.sent_to(STRANGER)[-1].message_id
    # A stranger is answered at most once a minute, behind the acknowledgements of the
    # presses (bulk waits while a person is busy in the chat).
    bot.clock.advance(minutes=1)
    for data in forged:
        bot.fake.user_presses_button(STRANGER, stranger_message, data, check_button=False)
    await bot.command(OFFICE_USER, "trangthai")  # handled after the presses
    bot.clock.advance(seconds=5)
    told = await bot.fake.wait_for_messages(STRANGER, 2)
    assert len(told) == 2 and all("PA-" not in (m.plain_text or "") for m in told)
    async with bot.db.read() as view:
        untouched = await view.tickets.get("PA-001")
        history = await view.tickets.revisions("PA-001")
    assert untouched is not None and untouched.status is TicketStatus.IN_PROGRESS
    assert untouched.reported_at is None
    assert {r.changed_by for r in history} == {"test"}


async def test_a_restart_in_mid_ticket_conversation_resumes(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    first = await start_bot(tmp_path, fake_telegram, clock)
    try:
        await first.register(ALICE, "SYT")
        await load_tickets(first)
        await first.command(ALICE, "phananh")
        assert "Dự kiến xử lý xong ngày nào?" in await first.press(ALICE, "⏳ PA-003 đang xử lý")
    finally:
        await stop_or_explain(first)
    second = await start_bot(tmp_path, fake_telegram, clock)
    try:
        reason = await second.say(ALICE, "1/3/2022")
        assert "Đã ghi: phiếu PA-003 đang xử lý, dự kiến xong 01/03/2022" in reason
        listed = await second.press(ALICE, "Bỏ qua")
        assert "Đã bỏ qua lý do của phiếu PA-003" in listed
        async with second.db.read() as view:
            ticket = await view.tickets.get("PA-003")
        assert ticket is not None and ticket.expected_on == date(2022, 3, 1)
        assert ticket.reason is None
    finally:
        await stop_or_explain(second)


@pytest.mark.slow
async def test_the_period_prompt_offers_the_units_overdue_tickets(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    await load_tickets(bot)
    before = len(bot.fake.sent_to(ALICE))
    await bot.command(OFFICE_USER, "mo", "03/2022")
    prompt = (await bot.fake.wait_for_messages(ALICE, before + 1))[-1]
    labels = [label for row in prompt.buttons for label, _ in row]
    assert labels == ["📝 Nhập số liệu", "📨 Phiếu quá hạn (7)"]
    page = await bot.press(ALICE, "📨 Phiếu quá hạn")
    assert "Phiếu phản ánh quá hạn – Sở Y tế" in page and "PA-001" in page


async def _send_file(
    bot: BotUnderTest, user: int, name: str, content: bytes, count: int
) -> list[str]:
    """A person sends a file; the bot's next `count` messages to them."""
    before = len(bot.fake.sent_to(user))
    bot.fake.user_sends_document(user, name, content)
    messages = await bot.fake.wait_for_messages(user, before + count)
    return [m.plain_text or "" for m in messages[before:]]


async def test_a_file_over_the_size_limit_is_refused_without_downloading_it(
    bot: BotUnderTest,
) -> None:
    # Past Telegram's 20 MB, the default limit: Telegram will not hand it over.
    huge = b"x" * (20 * 1024 * 1024 + 1)
    said = await _send_file(bot, OFFICE_USER, "qua lon.csv", huge, 2)
    assert "Tệp qua lon.csv lớn hơn 20 MB (giới hạn max_file_mb" in said[1]
    # Under it but past the office's own limit: the size Telegram declares is enough.
    settings = bot.app.workspace.settings
    limits = replace(settings.tickets.limits, max_file_mb=1)
    tickets = replace(settings.tickets, limits=limits)
    smaller = replace(bot.app.workspace, settings=replace(settings, tickets=tickets))
    assert bot.app.jobs is not None
    bot.app.workspace = bot.app.jobs.workspace = smaller  # as if config.toml said so
    said = await _send_file(bot, OFFICE_USER, "vua.csv", b"x" * (1024 * 1024 + 1), 2)
    assert "Tệp vua.csv lớn hơn 1 MB (giới hạn max_file_mb" in said[1]
    assert bot.fake.files_downloaded == 0


async def test_the_office_imports_the_list_by_sending_the_file(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    broken = await _send_file(bot, OFFICE_USER, "sai.csv", b"Ma,Ngay\n1,2\n", 2)
    assert "Đang nhập danh sách phiếu từ tệp «sai.csv»" in broken[0]
    assert "thiếu cột bắt buộc" in broken[1]
    done = await _send_file(bot, OFFICE_USER, "phieu thang 2.csv", TICKETS_CSV, 2)
    summary = done[1]
    assert "Đã nhập tệp phieu thang 2.csv: đọc 10 dòng; 10 phiếu mới" in summary
    assert "Phiếu quá hạn đến ngày 11/02/2022: 8" in summary
    assert "Sở Y tế: 7" in summary and "Bưu điện tỉnh <Trà Vinh> & Co: 1" in summary
    async with bot.db.read() as view:
        assert len(await view.tickets.all()) == 10
        history = await view.tickets.revisions("PA-001")
    assert {r.changed_by for r in history} == {f"telegram:{OFFICE_USER}"}
    assert {r.source_message for r in history} == {"phieu thang 2.csv"}
    # Sent again: updated by id, never duplicated.
    again = await _send_file(bot, OFFICE_USER, "phieu thang 2.csv", TICKETS_CSV, 2)
    assert "0 phiếu mới, 0 phiếu cập nhật, 10 phiếu không đổi" in again[1]


async def test_a_focal_point_or_a_stranger_cannot_import_a_file(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    # A focal point's file is read as its filled form (/mau): a ticket list is not one.
    refused = await _send_file(bot, ALICE, "phieu.csv", TICKETS_CSV, 2)
    assert "Tệp «phieu.csv» không phải tệp Excel (.xlsx)" in refused[1]
    assert "Danh sách phiếu phản ánh do văn phòng nhập" in refused[1]
    stranger = await _send_file(bot, STRANGER, "phieu.csv", TICKETS_CSV, 1)
    assert "Bot chỉ làm việc với cán bộ đầu mối" in stranger[0]
    async with bot.db.read() as view:
        assert await view.tickets.all() == []


async def test_buttons_show_ids_and_unit_names_as_written(bot: BotUnderTest) -> None:
    # Button labels are plain text on Telegram: «&» and «<» are shown, not «&amp;», «&lt;».
    await bot.register(BOB, "BDT")
    await bot.register(BOB, "SYT")
    export = TICKETS_HEADER + "Q&A<1>,05/01/2022,20/01/2022,BDT,Thư,Đang xử lý\n"
    async with bot.db.write() as tx:
        await import_tickets(
            tx,
            export.encode(),
            "phieu.csv",
            settings=bot.workspace.settings.tickets,
            today=TODAY,
            changed_by="test",
        )
    await bot.command(BOB, "phananh")
    labels = bot.fake.sent_to(BOB)[-1].button_texts
    assert "✅ Q&A<1> đã xử lý" in labels
    await bot.command(BOB, "baocao")  # two units: which one
    assert "Bưu điện tỉnh <Trà Vinh> & Co" in bot.fake.sent_to(BOB)[-1].button_texts
