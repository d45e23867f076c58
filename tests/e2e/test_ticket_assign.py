"""/giao: the office gives the tickets an import could not match a unit, in chat; nobody else
can, and the unit then answers about them like any other."""

from __future__ import annotations

from tests.support.harness import OFFICE_USER, BotUnderTest
from tests.support.steps import TICKETS_HEADER

ALICE = 1001  # SYT
STRANGER = 3003
# Overdue on 11/02/2022, in the harness's units' words the import cannot be sure of.
CSV = (
    TICKETS_HEADER
    + "PA-501,05/01/2022,20/01/2022,Sở Y tế tỉnh,Rác,Đang xử lý\n"
    + "PA-502,06/01/2022,21/01/2022,Ban quản lý dự án,Đường,Đang xử lý\n"
    + "PA-503,07/01/2022,22/01/2022,Văn phòng UBND,Hồ sơ,Đang xử lý\n"
).encode()


async def test_the_office_assigns_unmatched_tickets_in_chat(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    # In the office's menu only: everyone else's lists the focal points' commands.
    office_menu = bot.fake.commands({"type": "chat", "chat_id": OFFICE_USER})
    assert "giao" in [c["command"] for c in office_menu]
    assert "giao" not in [c["command"] for c in bot.fake.commands()]
    before = len(bot.fake.sent_to(OFFICE_USER))
    bot.fake.user_sends_document(OFFICE_USER, "phieu.csv", CSV)
    summary = (await bot.fake.wait_for_messages(OFFICE_USER, before + 2))[-1].plain_text or ""
    assert "Chưa xác định được đơn vị xử lý của 3 phiếu" in summary
    assert "Giao đơn vị cho phiếu: /giao MÃ_PHIẾU MÃ_ĐƠN_VỊ" in summary
    assert "baocao tickets" not in summary

    # Only the office: a focal point gets the help, a stranger the welcome, neither a ticket.
    refused = await bot.command(ALICE, "giao", "PA-501 SYT")
    assert refused.startswith("Các lệnh\n/baocao") and "PA-501" not in refused
    assert "Bot chỉ làm việc với cán bộ đầu mối" in await bot.command(STRANGER, "giao")
    async with bot.db.read() as view:
        assert len(await view.tickets.unmatched()) == 3

    listing = await bot.command(OFFICE_USER, "giao")
    assert "3 phiếu chưa giao đơn vị" in listing
    assert (
        "Phiếu PA-501 (tiếp nhận 05/01/2022): «Sở Y tế tỉnh» – gần nhất: Sở Y tế (SYT)" in listing
    )
    assert "«Ban quản lý dự án» – không thấy đơn vị nào gần giống" in listing
    assert bot.fake.sent_to(OFFICE_USER)[-1].button_texts == [
        "Giao PA-501 → SYT",
        "Giao PA-503 → VP",
    ]

    # The suggestion's button: assigned, and the list of the rest follows.
    given = await bot.press(OFFICE_USER, "Giao PA-501 → SYT")
    assert "✓ Đã giao phiếu PA-501 cho Sở Y tế (SYT)." in given
    assert "2 phiếu chưa giao đơn vị" in given
    assert "PA-501" in await bot.command(ALICE, "phananh")

    # Typed: unknown ticket, unknown unit (with and without a suggestion), missing unit.
    unknown = await bot.command(OFFICE_USER, "giao", "PA-999 SYT")
    assert unknown.startswith("Không có phiếu mã «PA-999»")
    nowhere = await bot.command(OFFICE_USER, "giao", "PA-502 Ban quản lý")
    assert nowhere.startswith("Không có đơn vị «Ban quản lý».")
    near = await bot.command(OFFICE_USER, "giao", "PA-502 Phòng Y tế")
    assert "Có phải Sở Y tế? Gõ: /giao PA-502 SYT" in near
    assert "cả mã phiếu và mã đơn vị" in await bot.command(OFFICE_USER, "giao", "PA-502")
    async with bot.db.read() as view:
        assert len(await view.tickets.unmatched()) == 2

    # A code typed in any case, or a name; the last one leaves an empty list.
    assert "Đã giao phiếu PA-502 cho Sở Y tế (SYT)" in await bot.command(
        OFFICE_USER, "giao", "PA-502 syt"
    )
    last = await bot.command(OFFICE_USER, "giao", "PA-503 Văn phòng UBND tỉnh")
    assert last == "✓ Đã giao phiếu PA-503 cho Văn phòng UBND tỉnh (VP)."
    assert "Không có phiếu nào chưa giao đơn vị" in await bot.command(OFFICE_USER, "giao")
    # Given again: nothing changes; taken from another unit: said so.
    assert "đã thuộc Sở Y tế (SYT)" in await bot.command(OFFICE_USER, "giao", "PA-502 SYT")
    moved = await bot.command(OFFICE_USER, "giao", "PA-502 VP")
    assert "cho Văn phòng UBND tỉnh (VP) (trước đây: Sở Y tế)" in moved
    async with bot.db.read() as view:
        history = await view.tickets.revisions("PA-502")
    assert [r.new_value for r in history if r.field == "unit_code"] == ["SYT", "VP"]
    assert {r.changed_by for r in history if r.field == "unit_code"} == {f"telegram:{OFFICE_USER}"}
