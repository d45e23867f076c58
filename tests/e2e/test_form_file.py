"""A unit's figures as a spreadsheet: /mau sends its forms prefilled, the filled file sent
back goes through the same parsing, checks and summary as typed answers; a wrong file is
refused saying what to send instead, and nothing stored is lost."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.demo.telegram_api import SentMessage
from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import parse_period
from tests.support.harness import BotUnderTest

ALICE = 1001  # focal point of SYT
BOB = 1002  # focal point of BDT


async def _exchange(bot: BotUnderTest, user: int, count: int, send: object) -> list[SentMessage]:
    """Do `send` (a person's action) and return the bot's next `count` messages to them."""
    before = len(bot.fake.sent_to(user))
    assert callable(send)
    send()
    messages = await bot.fake.wait_for_messages(user, before + count)
    return list(messages[before:])


async def _form_file(bot: BotUnderTest, user: int, argument: str = "") -> bytes:
    """Ask for /mau and return the workbook the bot sends."""
    said = await _exchange(bot, user, 2, lambda: bot.fake.user_sends_command(user, "mau", argument))
    assert "Đang tạo biểu mẫu Excel kỳ 02/2022" in (said[0].plain_text or "")
    document = said[1]
    assert document.document_bytes is not None and document.document_name is not None
    assert document.document_name.endswith(".xlsx")
    return document.document_bytes


def _page(content: bytes, title: str = "cts") -> Worksheet:
    book = load_workbook(io.BytesIO(content))
    page = book[title]
    assert isinstance(page, Worksheet)
    return page


def _values(page: Worksheet, column: int = 4) -> dict[int, object]:
    """Question number -> the value column (or another), under the header row."""
    header = next(r for r in range(1, 20) if page.cell(r, 1).value == "STT")
    return {
        int(page.cell(r, 1).value): page.cell(r, column).value  # type: ignore[arg-type]
        for r in range(header + 1, page.max_row + 1)
        if page.cell(r, 1).value is not None
    }


def _filled(content: bytes, values: dict[int, object], **marks: str) -> bytes:
    """The workbook with values typed in the value column (and marks changed, if given)."""
    book = load_workbook(io.BytesIO(content))
    page = book["cts"]
    assert isinstance(page, Worksheet)
    header = next(r for r in range(1, 20) if page.cell(r, 1).value == "STT")
    for number, value in values.items():
        page.cell(header + number, 4).value = value
    rows = {"unit": 3, "form": 4, "period": 5}
    for mark, value in marks.items():
        page.cell(rows[mark], 2).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _send(bot: BotUnderTest, user: int, name: str, content: bytes) -> list[str]:
    """Send a file; the bot's two answers (reading, then the result)."""
    said = await _exchange(bot, user, 2, lambda: bot.fake.user_sends_document(user, name, content))
    return [m.plain_text or "" for m in said]


async def _stored(bot: BotUnderTest, unit: str, period: str = "2022-02") -> dict[str, str | None]:
    async with bot.db.read() as r:
        answers = await r.answers.for_obligation(unit, "cts", period)
    return {key: answer.value for key, answer in answers.items()}


async def test_mau_sends_the_form_prefilled_with_the_last_values(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.register(BOB, "BDT")
    # SYT has answered part of this period: its own figures come back.
    await bot.command(ALICE, "baocao")
    await bot.say(ALICE, "1: 259\n2: 2.386")
    page = _page(await _form_file(bot, ALICE))
    assert page.cell(3, 2).value == "SYT" and page.cell(4, 2).value == "cts"
    assert page.cell(5, 2).value == "2022-02"
    assert "Chứng thư số – Sở Y tế – kỳ 02/2022" in str(page.cell(1, 1).value)
    assert _values(page) == {1: 259, 2: 2386, 3: None, 4: None, 5: None}
    assert page.cell(8, 2).value == "Số chứng thư số cấp mới trong tháng?"
    assert page.cell(8, 3).value == "chứng thư số"
    # BDT has nothing this period: last period's figures are shown beside, for reference
    # only; the value column stays empty (last month's flows are not this month's).
    async with bot.db.write() as tx:
        await tx.obligations.ensure([Obligation("BDT", "cts", parse_period("2022-01"))])
        for key, value in (("tong", "2000"), ("to_chuc", "400")):
            answer = Answer("BDT", "cts", "2022-01", key, value, None, bot.clock(), "test")
            await tx.answers.set(answer, "test", None)
    form = await _form_file(bot, BOB, "CTS")
    page = _page(form)
    assert _values(page) == {1: None, 2: None, 3: None, 4: None, 5: None}
    assert _values(page, column=5) == {1: None, 2: 2000, 3: 400, 4: None, 5: None}
    assert "Kỳ trước" in str(page.cell(7, 5).value)
    # Sent back untouched, the reference column is not taken for this period's answers.
    said = await _send(bot, BOB, "mau_BDT.xlsx", form)
    assert "chưa có số liệu nào ở cột «Số liệu»" in said[1]
    assert all(value is None for value in (await _stored(bot, "BDT")).values())
    unknown = await bot.command(BOB, "mau", "xyz")
    assert "Không có biểu mẫu «xyz» để điền kỳ 02/2022" in unknown and "cts" in unknown


async def test_a_filled_file_is_taken_like_typed_answers_and_shows_the_summary(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    form = await _form_file(bot, ALICE)
    filled = _filled(form, {1: 259, 2: "2.386", 3: 472, 4: 1914, 5: "Cấp\nqua bưu điện"})
    said = await _send(bot, ALICE, "mau_SYT.xlsx", filled)
    assert "Đang đọc số liệu trong tệp «mau_SYT.xlsx»" in said[0]
    assert "✓ Đã ghi 5 câu:" in said[1] and "2. tổng số: 2.386 chứng thư số" in said[1]
    assert "Tóm tắt: Chứng thư số, kỳ 02/2022" in said[1]
    assert await _stored(bot, "SYT") == {
        "cap_moi": "259",
        "tong": "2386",
        "to_chuc": "472",
        "ca_nhan": "1914",
        "ghi_chu": "Cấp qua bưu điện",
    }
    receipt = await bot.press(ALICE, "✅ Gửi báo cáo")
    assert "Đã nhận báo cáo «Chứng thư số» kỳ 02/2022" in receipt


async def test_bad_values_in_the_file_are_refused_and_flagged_as_typed_ones(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    form = await _form_file(bot, ALICE)
    filled = _filled(form, {1: 259, 2: 2361, 3: 472, 4: 1914, 5: "12,5 triệu"})
    filled = _filled(filled, {1: "hai trăm"})
    said = await _send(bot, ALICE, "mau.xlsx", filled)
    assert "«1: hai trăm»: «hai trăm» không phải là số" in said[1]
    assert "472 + 1.914 = 2.386, nhưng «tổng số» là 2.361" in said[1]
    asked = await bot.press(ALICE, "Giữ nguyên: tổng số")
    assert "giải thích ngắn" in asked
    stored = await _stored(bot, "SYT")
    assert "cap_moi" not in stored and stored["tong"] == "2361"


async def test_a_wrong_file_is_refused_saying_what_to_send_and_nothing_is_lost(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    await bot.command(ALICE, "baocao")
    await bot.say(ALICE, "1: 259")
    form = await _form_file(bot, ALICE)
    csv = await _send(bot, ALICE, "so lieu.csv", b"STT,So lieu\n1,300\n")
    assert "Tệp «so lieu.csv» không phải tệp Excel (.xlsx)" in csv[1] and "/mau" in csv[1]
    # A zip bomb: a sheet that unpacks to 50 MB of the same byte.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (50 * 1024 * 1024))
    said = await _send(bot, ALICE, "bom.xlsx", bomb.getvalue())
    assert "Tệp «bom.xlsx» quá lớn hoặc bất thường" in said[1]
    other = _filled(form, {1: 300}, unit="BDT")
    said = await _send(bot, ALICE, "khac.xlsx", other)
    assert "là biểu mẫu của đơn vị BDT, không phải đơn vị anh/chị phụ trách" in said[1]
    empty = _filled(form, {1: None})
    said = await _send(bot, ALICE, "trong.xlsx", empty)
    assert "chưa có số liệu nào ở cột «Số liệu»" in said[1]
    book = load_workbook(io.BytesIO(form))
    book["cts"]["A3"] = "Ghi chú"
    plain = io.BytesIO()
    book.save(plain)
    said = await _send(bot, ALICE, "bang.xlsx", plain.getvalue())
    assert "không có trang biểu mẫu nào của bot" in said[1]
    assert await _stored(bot, "SYT") == {"cap_moi": "259"}
    assert await _stored(bot, "BDT") == {}


async def test_a_sheet_of_a_period_not_open_is_refused_and_creates_nothing(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    form = await _form_file(bot, ALICE)
    # The period mark changed by hand to one the office never opened: refused, and the
    # mark alone does not create that period or its obligations.
    said = await _send(bot, ALICE, "cu.xlsx", _filled(form, {1: 300}, period="2021-06"))
    assert "là số liệu kỳ 06/2021, kỳ này đã khóa hoặc chưa mở" in said[1]
    async with bot.db.read() as r:
        assert await r.periods.get("2021-06") is None
        assert await r.obligations.get("SYT", "cts", "2021-06") is None
    assert await _stored(bot, "SYT", "2021-06") == {}
