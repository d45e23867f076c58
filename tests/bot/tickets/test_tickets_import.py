"""Importing exports written by the tests: XLSX (openpyxl) and CSV, odd and hostile ones."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from bot.tickets.reading import header_key, read_ticket_file
from bot.tickets.saving import import_tickets
from bot.tickets.sheets import TicketFileError, parse_day
from bot.workspace.settings import FileLimits, TicketSettings
from domain.ticket_figures import UnitOverdue
from domain.ticket_import import ImportSummary, RejectReason, UnmatchedRow
from domain.tickets import SUMMARY_MAX, TicketStatus
from domain.units import Unit
from storage import Database
from storage.repos.tickets import AssignOutcome
from templates.catalog import text
from tests.support.clock import FakeClock
from tests.support.tickets_helpers import NOW, TODAY, UNITS

SETTINGS = TicketSettings()
HEADER = [
    "Mã phiếu",
    "Kênh tiếp nhận",
    "Ngày tiếp nhận",
    "Hạn xử lý",
    "Đơn vị xử lý",
    "Nội dung",
    "Trạng thái",
]


@pytest.fixture
def clock() -> FakeClock:
    """The tickets tests' moment: 10:00 on 14/02/2022 in Vietnam."""
    return FakeClock(NOW)


@pytest.fixture
def db_units() -> Sequence[Unit]:
    """The tickets tests' units, known to the database from the start."""
    return UNITS


def xlsx(*sheets: Sequence[Sequence[Any]], epoch: datetime | None = None) -> bytes:
    """An XLSX file with one sheet per list of rows."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    for index, rows in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet(f"Sheet{index + 1}")
        assert sheet is not None
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(
    rows: Sequence[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def read(data: bytes, name: str = "phieu.xlsx", settings: TicketSettings = SETTINGS) -> Any:
    return read_ticket_file(data, name, settings, UNITS)


async def run_import(db: Database, data: bytes, name: str = "phieu.xlsx") -> ImportSummary:
    async with db.write() as tx:
        return await import_tickets(
            tx, data, name, settings=SETTINGS, today=TODAY, changed_by="cli:test"
        )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("cell", "day"),
    [
        ("13/02/2022", date(2022, 2, 13)),
        ("3/2/2022", date(2022, 2, 3)),
        ("2022-02-13", date(2022, 2, 13)),
        ("13-02-2022 16:00", date(2022, 2, 13)),
        ("13/02/2022 16:00:59", date(2022, 2, 13)),
        ("16:00 13/02/2022", date(2022, 2, 13)),
        ("13.02.2022", date(2022, 2, 13)),
        ("2022-02-13T16:00:00+07:00", date(2022, 2, 13)),
        (" 13/02/2022\u200b ", date(2022, 2, 13)),
        (datetime(2022, 2, 13, 16, 0), date(2022, 2, 13)),
        (date(2022, 2, 13), date(2022, 2, 13)),
        (44605, date(2022, 2, 13)),  # an Excel serial number
        (44605.6666, date(2022, 2, 13)),  # with a time of day
        ("44605", date(2022, 2, 13)),  # a serial that reached a CSV
        (None, None),
        ("  ", None),
    ],
)
def test_days_as_exports_write_them(cell: Any, day: date | None) -> None:
    assert parse_day(cell) == day


@pytest.mark.parametrize(
    "cell",
    ["31/02/2022", "02/13/2022", "13/02/22", "hôm qua", "2022/02/13", -5, 0.5, True, 1e12],
)
def test_what_is_not_a_day(cell: Any) -> None:
    with pytest.raises(ValueError):
        parse_day(cell)


def test_headers_compare_without_case_diacritics_spaces_or_brackets() -> None:
    assert header_key(" MÃ  PHIẾU (*) ") == header_key("Mã phiếu") == "maphieu"
    assert header_key("Ngày tiếp nhận [dd/mm/yyyy]") == "ngaytiepnhan"


# ---------------------------------------------------------------- reading files


def test_an_xlsx_export_with_a_title_odd_headers_and_excel_dates() -> None:
    data = xlsx(
        [
            ["DANH SÁCH PHẢN ÁNH, KIẾN NGHỊ THÁNG 02/2022"],
            [],
            [
                "STT",
                "SỐ PHIẾU",
                "kenh tiep nhan",
                "Ngày tiếp nhận (dd/mm/yyyy)",
                "Hạn  xử lý",
                "ĐƠN VỊ CHỦ TRÌ",
                "Tóm tắt",
                "Tình trạng",
                "Ghi chú",
            ],
            [
                1,
                "PA-1",
                "Tổng đài 1022",
                datetime(2022, 2, 1, 9, 30),
                44600,
                "UBND P.6",
                "Đèn đường hỏng",
                "Đang xử lý",
                "x",
            ],
            [],
            [None, None, None, None, None, None, None, None, None],
            [2, 10234, "Zalo", "13/02/2022", "2022-02-20", "Sở Y tế", None, "Đã xử lý xong"],
        ]
    )
    parsed = read(data)
    assert parsed.rows_read == 2
    assert parsed.rejected == ()
    first, second = parsed.tickets
    assert (first.line, first.id, first.received_on, first.due_on) == (
        4,
        "PA-1",
        date(2022, 2, 1),
        date(2022, 2, 8),
    )
    assert (first.unit_code, first.channel, first.summary) == (
        "P6TV",
        "Tổng đài 1022",
        "Đèn đường hỏng",
    )
    assert (first.status, first.source_status) == (TicketStatus.IN_PROGRESS, "Đang xử lý")
    assert (second.line, second.id, second.unit_code) == (7, "10234", "SYT")
    assert second.status is TicketStatus.HANDLED
    assert parsed.columns["received"] == "Ngày tiếp nhận (dd/mm/yyyy)"


def test_the_header_may_be_on_another_sheet() -> None:
    data = xlsx([["Hướng dẫn"], ["Xem trang sau"]], [HEADER, ["PA-1", "", "01/02/2022"]])
    assert [t.id for t in read(data).tickets] == ["PA-1"]


def test_serial_numbers_of_a_1904_workbook() -> None:
    data = xlsx([HEADER, ["PA-1", "", 43143, 43150, "Sở Y tế"]], epoch=CALENDAR_MAC_1904)
    (ticket,) = read(data).tickets
    assert (ticket.received_on, ticket.due_on) == (date(2022, 2, 13), date(2022, 2, 20))


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8-sig"), (";", "utf-8-sig"), ("\t", "utf-16"), (",", "utf-8")],
)
def test_csv_exports_as_excel_saves_them(delimiter: str, encoding: str) -> None:
    rows = [
        ["Báo cáo phiếu; tháng 2"],
        [" mã phiếu ", "Ngày tiếp nhận", "Hạn xử lý", "Đơn vị xử lý", "Nội dung"],
        ["PA-1", "13/02/2022", "13-02-2022 16:00", "ubnd phuong 6", "dòng 1\ndòng 2"],
        ["", "", "", "", ""],
        ["PA-2", "2022-02-13", "44610", "X. Long Đức", ""],
    ]
    parsed = read(csv_file(rows, delimiter=delimiter, encoding=encoding), "phieu.csv")
    assert [(t.id, t.received_on, t.due_on, t.unit_code) for t in parsed.tickets] == [
        ("PA-1", date(2022, 2, 13), date(2022, 2, 13), "P6TV"),
        ("PA-2", date(2022, 2, 13), date(2022, 2, 18), "LD"),
    ]
    assert parsed.tickets[0].summary == "dòng 1\ndòng 2"
    assert parsed.tickets[0].line == 3


def test_column_names_come_from_the_config() -> None:
    settings = TicketSettings(id_columns=("Số PAKN",), unit_columns=("Nơi xử lý",))
    data = xlsx([["Số PAKN", "Ngày tiếp nhận", "Nơi xử lý"], ["7", "01/02/2022", "SYT"]])
    assert [(t.id, t.unit_code) for t in read(data, settings=settings).tickets] == [("7", "SYT")]
    with pytest.raises(TicketFileError):
        read(data)


def test_every_bad_row_is_reported_with_its_reason() -> None:
    data = xlsx(
        [
            HEADER,
            ["PA-1", "", "01/02/2022", "", "Sở Y tế"],
            ["", "Zalo", "01/02/2022", "", "Sở Y tế"],
            ["PA-3", "", "", "", "Sở Y tế"],
            ["PA-4", "", "32/01/2022", "", "Sở Y tế"],
            ["PA-5", "", "01/02/2022", "sau Tết", "Sở Y tế"],
            ["PA-1", "", "02/02/2022", "", "Sở Y tế"],
            ["X" * 65, "", "01/02/2022", "", "Sở Y tế"],
            ["PA-8", "", "01/02/2022", "", ""],
        ]
    )
    parsed = read(data)
    assert [t.id for t in parsed.tickets] == ["PA-1", "PA-8"]
    assert [(r.line, r.reason, r.ticket_id, r.column, r.value) for r in parsed.rejected] == [
        (3, RejectReason.MISSING_ID, "", "Mã phiếu", ""),
        (4, RejectReason.MISSING_RECEIVED, "PA-3", "Ngày tiếp nhận", ""),
        (5, RejectReason.BAD_RECEIVED, "PA-4", "Ngày tiếp nhận", "32/01/2022"),
        (6, RejectReason.BAD_DUE, "PA-5", "Hạn xử lý", "sau Tết"),
        (7, RejectReason.DUPLICATE_ID, "PA-1", "Mã phiếu", "PA-1"),
        (8, RejectReason.ID_TOO_LONG, "", "Mã phiếu", "X" * 59 + "…"),
    ]
    assert parsed.rejected[4].first_line == 2
    assert parsed.rows_read == 8
    assert parsed.tickets[1].unit_code is None  # no unit: kept, waiting for the office


# ---------------------------------------------------------------- hostile cells


def test_hostile_cells_are_stored_as_plain_text() -> None:
    formula = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
    data = xlsx(
        [
            HEADER,
            # openpyxl refuses to write C0 control characters; invisible ones it accepts.
            [
                "PA-1\u202e\u200b",
                "Tổng đài\t1022",
                "01/02/2022",
                "",
                "UBND\nP.6",
                formula,
                "=1+1",
            ],
            ["PA-2", "", "01/02/2022", "", "Sở Y tế", "Dài " + "x" * 30000],
            ["=A2", "", "01/02/2022", "", "Sở Y tế", ""],
        ]
    )
    first, second, third = read(data).tickets
    assert (first.id, first.channel, first.unit_code) == ("PA-1", "Tổng đài 1022", "P6TV")
    assert first.summary == formula
    assert first.source_status == "=1+1"
    assert len(second.summary) == SUMMARY_MAX
    assert third.id == "=A2"


def test_control_characters_in_a_csv_are_dropped() -> None:
    rows = [HEADER, ["PA\x07-1\x1b", "Tổng\x00 đài\x0c1022", "01/02/2022", "", "Sở\x08 Y tế"]]
    (ticket,) = read(csv_file(rows), "phieu.csv").tickets
    assert (ticket.id, ticket.channel, ticket.unit_code) == ("PA-1", "Tổng đài 1022", "SYT")


def test_a_csv_cell_larger_than_the_csv_module_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = "x" * 300_000
    rows = [HEADER, ["PA-1", "", "01/02/2022", "", "Sở Y tế", huge], ["PA-2", "", "01/02/2022"]]
    changes: list[int] = []
    original = csv.field_size_limit

    def watched(*new: int) -> int:
        changes.extend(new)
        return original(*new)

    monkeypatch.setattr(csv, "field_size_limit", watched)
    parsed = read(csv_file(rows), "phieu.csv")
    assert [len(t.summary) for t in parsed.tickets] == [SUMMARY_MAX, 0]
    # The process-wide limit was set once, at start: reading a file (in a thread, maybe,
    # beside another) never changes it.
    assert changes == []


def test_nul_characters_in_a_csv() -> None:
    data = "Mã phiếu,Ngày tiếp nhận,Đơn vị xử lý\nPA\x00-1,01/02/2022,Sở Y tế\x00\n".encode()
    assert [(t.id, t.unit_code) for t in read(data, "a.csv").tickets] == [("PA-1", "SYT")]


# ---------------------------------------------------------------- files that cannot be read


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.xlsx", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", "old_xls"),
        (b"PK\x03\x04 broken", "a.xlsx", "bad_xlsx"),
        (zip_without_workbook(), "a.xlsx", "bad_xlsx"),
        (b"just text", "a.xlsx", "bad_xlsx"),
        ("Mã,Ngày\n".encode("cp1252"), "a.csv", "not_utf8"),  # Excel's plain "CSV"
        (b"a,b\n1,2\n", "a.csv", "missing_columns"),
    ],
)
def test_unreadable_files_are_refused_whole(data: bytes, name: str, code: str) -> None:
    with pytest.raises(TicketFileError) as caught:
        read(data, name)
    assert caught.value.code == code
    assert name in caught.value.message()


def test_missing_columns_name_what_the_file_has() -> None:
    data = xlsx([["Tiêu đề"], ["Mã số phiếu", "Ngày tiếp nhận", "Đơn vị thực hiện", "Khác"]])
    with pytest.raises(TicketFileError) as caught:
        read(data)
    message = caught.value.message()
    assert message.splitlines() == [
        "Tệp phieu.xlsx thiếu cột bắt buộc, không nhập phiếu nào:",
        '  - Mã phiếu: không thấy cột nào tên "Mã phiếu" hoặc "Số phiếu"; '
        'có phải cột "Mã số phiếu"?',
        '  - Đơn vị xử lý: không thấy cột nào tên "Đơn vị xử lý" hoặc "Đơn vị chủ trì"; '
        'có phải cột "Đơn vị thực hiện"?',
        'Các cột có trong tệp: "Mã số phiếu", "Ngày tiếp nhận", "Đơn vị thực hiện", "Khác".',
        "Nếu hệ thống đặt tên cột khác, hãy thêm tên đó vào id_columns, unit_columns "
        "trong mục [tickets] của config.toml.",
    ]


# ---------------------------------------------------------------- importing into the database


def export(*rows: Sequence[Any]) -> bytes:
    return xlsx([HEADER, *rows])


async def test_import_then_reimport_updates_by_id(db: Database) -> None:
    first = await run_import(
        db,
        export(
            ["PA-1", "Tổng đài 1022", "01/02/2022", "10/02/2022", "UBND P.6", "Đèn", "Đang xử lý"],
            ["PA-2", "Zalo", "02/02/2022", "20/02/2022", "Sở Y tế", "Rác", "Đang xử lý"],
            ["PA-3", "Web", "03/02/2022", "05/02/2022", "Phòng Y tế huyện", "Ngập", ""],
            ["", "Web", "03/02/2022", "05/02/2022", "Sở Y tế", "", ""],
        ),
    )
    assert (first.rows_read, first.new, first.updated, first.unchanged) == (4, 3, 0, 0)
    assert first.unmatched == (UnmatchedRow(4, "PA-3", "Phòng Y tế huyện", "SYT", "Sở Y tế"),)
    assert [r.reason for r in first.rejected] == [RejectReason.MISSING_ID]
    assert first.overdue_units == (UnitOverdue("P6TV", "UBND Phường 6", 1),)
    assert first.unassigned_overdue == 1
    assert first.overdue == 2

    # The next export: PA-1 handled, PA-2 moved, PA-4 new; PA-3 unchanged.
    second = await run_import(
        db,
        export(
            ["PA-1", "Tổng đài 1022", "01/02/2022", "10/02/2022", "UBND P.6", "Đèn", "Đã xử lý"],
            ["PA-2", "Zalo", "02/02/2022", "12/02/2022", "Sở Y tế", "Rác", "Đang xử lý"],
            ["PA-3", "Web", "03/02/2022", "05/02/2022", "Phòng Y tế huyện", "Ngập", ""],
            ["PA-4", "Facebook", "13/02/2022", "", "TT Càng Long", "Ồn", "Mới tiếp nhận"],
        ),
    )
    assert (second.rows_read, second.new, second.updated, second.unchanged) == (4, 1, 2, 1)
    assert second.overdue_units == (UnitOverdue("SYT", "Sở Y tế", 1),)
    async with db.read() as r:
        everything = await r.tickets.all()
        history = await r.tickets.revisions("PA-1")
    assert [t.id for t in everything] == ["PA-1", "PA-2", "PA-3", "PA-4"]
    assert [(h.field, h.new_value, h.changed_by, h.source_message) for h in history][-1] == (
        "status",
        "handled",
        "cli:test",
        "phieu.xlsx",
    )


async def test_assigning_an_unmatched_row_survives_reimport(db: Database) -> None:
    data = export(["PA-3", "Web", "03/02/2022", "05/02/2022", "Phòng Y tế huyện", "Ngập", ""])
    summary = await run_import(db, data)
    assert [u.ticket_id for u in summary.unmatched] == ["PA-3"]
    async with db.write() as tx:
        assert (await tx.tickets.assign("PA-3", "SYT", "cli:test")).outcome is (
            AssignOutcome.ASSIGNED
        )
    again = await run_import(db, data)
    assert (again.unmatched, again.unchanged) == ((), 1)
    assert again.overdue_units == (UnitOverdue("SYT", "Sở Y tế", 1),)


async def test_the_summary_text_lists_everything_needing_attention(db: Database) -> None:
    summary = await run_import(
        db,
        export(
            ["PA-1", "", "01/02/2022", "10/02/2022", "UBND P.6", "Đèn", ""],
            ["PA-3", "", "03/02/2022", "05/02/2022", "Công an phường", "Ngập", ""],
            ["PA-4", "", "ngày 3", "", "Sở Y tế", "", ""],
        ),
    )
    assert text("tickets.import_summary", s=summary).splitlines() == [
        "Đã nhập tệp phieu.xlsx: đọc 3 dòng; 2 phiếu mới, 0 phiếu cập nhật, 0 phiếu không đổi, "
        "1 dòng không nhập được.",
        "",
        "Chưa xác định được đơn vị xử lý của 1 phiếu (đã lưu, chờ giao đơn vị):",
        '  dòng 3, phiếu PA-3: "Công an phường"; không thấy đơn vị nào gần giống',
        "Giao đơn vị cho phiếu: baocao tickets assign MÃ_PHIẾU MÃ_ĐƠN_VỊ",
        "",
        "Dòng không nhập được:",
        '  dòng 4, phiếu PA-4: "ngày 3" ở cột "Ngày tiếp nhận" không phải ngày hợp lệ; '
        "hãy ghi dạng dd/mm/yyyy",
        "Sửa các dòng này trong tệp rồi nhập lại cả tệp (phiếu đã nhập chỉ được cập nhật, "
        "không nhân đôi).",
        "",
        "Phiếu quá hạn đến ngày 14/02/2022: 2",
        "  UBND Phường 6: 1",
        "  Chưa giao đơn vị: 1",
    ]


async def test_a_file_that_cannot_be_read_imports_nothing(db: Database) -> None:
    with pytest.raises(TicketFileError):
        await run_import(db, b"a,b\n1,2\n", "a.csv")
    async with db.read() as r:
        assert await r.tickets.all() == []


def test_trailing_blank_rows_do_not_count() -> None:
    two = TicketSettings(limits=FileLimits(max_rows=2))  # tickets: the header is not one
    rows = [HEADER, ["PA-1", "", "01/02/2022"], *[[""] * 7] * 50, ["PA-2", "", "01/02/2022"]]
    parsed = read(csv_file([*rows, *[[""] * 7] * 1000]), "a.csv", two)
    assert [(t.id, t.line) for t in parsed.tickets] == [("PA-1", 2), ("PA-2", 53)]
    with pytest.raises(TicketFileError) as caught:
        read(xlsx([*rows, ["PA-3", "", "01/02/2022"]]), settings=two)
    assert caught.value.code == "too_many_rows"
