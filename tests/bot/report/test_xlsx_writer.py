"""The streaming .xlsx writer, read back with openpyxl: text through the shared string
table (each distinct text stored once), numbers as numbers, rows written out whole."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.report.xlsx_writer import CELL_CHARS, XlsxWriter, sheet_name

HOSTILE = "=1+1 & <b>\r\n\t\x01 Bộ TT&TT "


def test_text_numbers_and_written_out_rows_read_back() -> None:
    book = XlsxWriter()
    book.sheet(
        "Số liệu",
        ["Đơn vị", "Số", "Ghi chú"],
        [
            ["Xã A", Decimal("1000"), HOSTILE],
            ["Xã A", 7, None],
            ["Xã B", Decimal("20.33"), ""],
            ["Xã B", True, "Xã A"],
        ],
    )
    _, sheet = book.open_sheet("Lịch sử", ["Đơn vị", "Ghi chú"])
    unit = book.cells("Xã A")
    sheet.write_cells(unit + book.cell(f"ghi chú {i}") for i in range(3))
    sheet.write_cells([unit + book.cell(None)])
    sheet.close()
    data = book.finish()

    read = load_workbook(io.BytesIO(data))
    rows = list(read["Số liệu"].iter_rows(values_only=True))
    assert rows == [
        ("Đơn vị", "Số", "Ghi chú"),
        ("Xã A", 1000, HOSTILE.replace("\x01", "")),  # XML cannot hold \x01
        ("Xã A", 7, None),
        ("Xã B", 20.33, None),
        ("Xã B", "True", "Xã A"),
    ]
    assert list(read["Lịch sử"].iter_rows(values_only=True)) == [
        ("Đơn vị", "Ghi chú"),
        ("Xã A", "ghi chú 0"),
        ("Xã A", "ghi chú 1"),
        ("Xã A", "ghi chú 2"),
        ("Xã A", None),
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        shared = xlsx.read("xl/sharedStrings.xml").decode()
        sheets = [xlsx.read(n).decode() for n in xlsx.namelist() if "worksheets/" in n]
    assert shared.count(">Xã A<") == 1  # six cells, one string
    assert "Xã A" not in "".join(sheets)
    assert all("<f>" not in s for s in sheets)  # text is never a formula


def test_plain_decimal_text_is_written_as_a_number_anything_else_is_not() -> None:
    book = XlsxWriter()
    plain = ["1924862", "-20.30", "0", "0.5"]
    assert all(book.number_cell(text) for text in plain)
    assert [book.number_cell(t) for t in ("1E+3", "007", "1.", " 1", "1.924.862", "")] == [None] * 6
    _, sheet = book.open_sheet("S", ["n"])
    sheet.write_cells(book.number_cell(text) or "" for text in plain)
    sheet.close()
    read = load_workbook(io.BytesIO(book.finish()))
    assert [r[0] for r in read["S"].iter_rows(min_row=2, values_only=True)] == [
        1924862,
        -20.3,
        0,
        0.5,
    ]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        # The case: «…thông tin, an» cut «an toàn» in two.
        ("Quản lý công nghệ thông tin, an toàn thông tin", "Quản lý công nghệ thông tin"),
        ("Ứng dụng CNTT phòng, chống Covid-19", "Ứng dụng CNTT phòng, chống"),
        ("Thông tin đối ngoại và báo chí xuất bản", "Thông tin đối ngoại và báo chí"),
        ("Bưu chính, viễn thông", "Bưu chính, viễn thông"),
        ("Số liệu: [tháng] 02/2022?", "Số liệu tháng 02 2022"),
        ("A" * 40, "A" * 31),
    ],
)
def test_sheet_names_are_shortened_on_word_boundaries(title: str, name: str) -> None:
    assert sheet_name(title, set()) == name


def test_sheet_names_stay_unique_and_short() -> None:
    taken: set[str] = set()
    names = [sheet_name("Quản lý công nghệ thông tin, an toàn thông tin", taken) for _ in range(3)]
    assert names == [
        "Quản lý công nghệ thông tin",
        "Quản lý công nghệ thông tin (2)",
        "Quản lý công nghệ thông tin (3)",
    ]
    assert all(len(n) <= 31 for n in names)


def test_days_and_moments_are_excel_dates() -> None:
    book = XlsxWriter()
    moment, day = datetime(2022, 2, 14, 16, 50, 7), date(2022, 2, 3)
    book.sheet("Ngày", ["Lúc nộp", "Hạn"], [[moment, day], [None, date(1900, 3, 1)]])
    sheet = load_workbook(io.BytesIO(book.finish()))["Ngày"]
    assert [c.value for c in sheet[2]] == [moment, datetime(2022, 2, 3)]
    assert [c.number_format for c in sheet[2]] == ["dd/mm/yyyy hh:mm:ss", "dd/mm/yyyy"]
    assert sheet.cell(3, 2).value == datetime(1900, 3, 1) and sheet.cell(3, 2).is_date


def test_a_text_longer_than_a_cell_holds_is_cut_with_a_note() -> None:
    book = XlsxWriter()
    book.sheet("Dài", ["Ghi chú"], [["x" * 40_000], ["y" * CELL_CHARS]])
    sheet = load_workbook(io.BytesIO(book.finish()))["Dài"]
    cut, whole = sheet.cell(2, 1).value, sheet.cell(3, 1).value
    assert len(cut) == CELL_CHARS and cut.startswith("x" * 30_000)
    assert cut.endswith("một ô Excel chứa tối đa 32.767 ký tự; nội dung đầy đủ vẫn lưu trong bot]")
    assert whole == "y" * CELL_CHARS


def test_rows_past_a_sheets_limit_are_left_out_with_a_note() -> None:
    book = XlsxWriter(max_rows=6)
    book.sheet("Nhiều", ["Số"], [[i] for i in range(10)])
    _, sheet = book.open_sheet("Vừa", ["Số"])
    sheet.write_cells(book.cell(i) for i in range(4))
    sheet.close()
    read = load_workbook(io.BytesIO(book.finish()))
    rows = [r[0] for r in read["Nhiều"].iter_rows(values_only=True)]
    assert rows[:5] == ["Số", 0, 1, 2, 3] and len(rows) == 6
    assert rows[5].startswith("… còn 6 dòng không ghi được vào trang này")
    assert "tối đa 1.048.576 dòng" in rows[5]
    assert [r[0] for r in read["Vừa"].iter_rows(values_only=True)] == ["Số", 0, 1, 2, 3]


def _png(width: int, height: int) -> bytes:
    """A blank PNG of that size (Pillow, which matplotlib brings)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def test_two_sheets_of_pictures_keep_their_own_drawings_and_images() -> None:
    book = XlsxWriter()
    book.sheet("Số liệu", ["Đơn vị"], [["Xã A"]])
    book.picture_sheet("Biểu đồ", [("1. Một", _png(300, 100)), ("2. Hai", _png(200, 200))], 10)
    book.picture_sheet("Biểu đồ", [("1. Ba <&>", _png(100, 50))], 5)
    data = book.finish()
    read = load_workbook(io.BytesIO(data))
    assert read.sheetnames == ["Số liệu", "Biểu đồ", "Biểu đồ (2)"]
    first, second = read["Biểu đồ"], read["Biểu đồ (2)"]
    assert [(i.width, i.height) for i in first._images] == [(300, 100), (200, 200)]
    assert [(i.width, i.height) for i in second._images] == [(100, 50)]
    # Each title in the row above its picture; the pictures one under the other.
    assert [first.cell(row=i.anchor._from.row, column=1).value for i in first._images] == [
        "1. Một",
        "2. Hai",
    ]
    assert second["A1"].value == "1. Ba <&>" and second["A1"].font.b
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = package.read("xl/drawings/_rels/drawing2.xml.rels").decode()
        assert "../media/image3.png" in rels and "image1" not in rels
        assert package.read("xl/media/image3.png") == _png(100, 50)


def test_a_picture_that_is_not_a_png_is_refused() -> None:
    with pytest.raises(ValueError, match="PNG"):
        XlsxWriter().picture_sheet("Biểu đồ", [("x", b"GIF89a...")], 10)
