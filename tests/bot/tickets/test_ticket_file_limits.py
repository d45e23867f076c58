"""Hostile ticket exports: archives that unpack to far more than they weigh, counts past the
limits, lying declared sizes, endless CSV lines. Each is refused whole, naming the limit."""

from __future__ import annotations

import io
import struct
import zipfile

import openpyxl
import pytest

from bot.tickets import archive
from bot.tickets.reading import read_ticket_file
from bot.tickets.sheets import TicketFileError
from bot.workspace.settings import FileLimits, TicketSettings
from tests.support.tickets_helpers import UNITS

HEADER = ["Mã phiếu", "Ngày tiếp nhận", "Đơn vị xử lý"]


def workbook(rows: int = 3) -> bytes:
    """A genuine small export, as Excel would write it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"PA-{i}", "01/02/2022", "Sở Y tế"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def swapped(data: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one part replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry, source.read(entry), zipfile.ZIP_DEFLATED)
        target.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def shared_strings(count: int, text: str = "a") -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    body = f"<si><t>{text}</t></si>" * count
    return f'<sst xmlns="{ns}" count="{count}" uniqueCount="{count}">{body}</sst>'.encode()


def read(data: bytes, limits: FileLimits, name: str = "phieu.xlsx") -> TicketFileError:
    with pytest.raises(TicketFileError) as caught:
        read_ticket_file(data, name, TicketSettings(limits=limits), UNITS)
    return caught.value


def test_a_genuine_workbook_within_the_limits_is_read() -> None:
    parsed = read_ticket_file(workbook(), "phieu.xlsx", TicketSettings(), UNITS)
    assert [t.id for t in parsed.tickets] == ["PA-0", "PA-1", "PA-2"]


def test_shared_strings_unpacking_past_the_limit_are_refused_before_parsing() -> None:
    # 4 MB of shared strings in a few kilobytes: the bomb of the issue, smaller.
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(250_000))
    assert len(data) < 100_000
    error = read(data, FileLimits(max_unpacked_mb=2, max_ratio=10_000))
    assert (error.code, error.values["limit"]) == ("xlsx_unpacked", 2)
    assert "2 MB" in error.message() and "max_unpacked_mb" in error.message()


def test_a_part_that_grows_too_much_is_refused() -> None:
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(250_000))
    error = read(data, FileLimits())
    assert (error.code, error.values["limit"]) == ("xlsx_ratio", 100)
    assert "max_ratio" in error.message()


def test_too_many_shared_strings_are_refused() -> None:
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(50))
    error = read(data, FileLimits(max_shared_strings=49))
    assert error.code == "xlsx_shared_strings"
    assert "49" in error.message()


def test_shared_strings_past_the_text_memory_allows_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archive, "SHARED_TEXT_CHARS", 1000)
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(11, "x" * 100))
    assert read(data, FileLimits()).code == "xlsx_shared_text"


def test_a_sheet_of_endless_empty_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "SHEET_ROWS", 1000)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows = "".join(f'<row r="{i}"/>' for i in range(1, 1002))
    sheet = f'<worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    error = read(swapped(workbook(), "xl/worksheets/sheet1.xml", sheet), FileLimits())
    assert error.code == "xlsx_sheet_rows"


def test_a_row_of_endless_cells_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "ROW_CELLS", 100)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = "<c><v>1</v></c>" * 101
    sheet = f'<worksheet xmlns="{ns}"><sheetData><row>{cells}</row></sheetData></worksheet>'
    error = read(swapped(workbook(), "xl/worksheets/sheet1.xml", sheet.encode()), FileLimits())
    assert error.code == "xlsx_row_cells"


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s uncompressed size declared as `declared` everywhere."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entry = source.getinfo(name)
        real = entry.file_size
    out = bytearray(data)
    old, new = struct.pack("<I", real), struct.pack("<I", declared)
    local = out.find(b"PK\x03\x04", entry.header_offset)
    out[local + 22 : local + 26] = new  # the local header's uncompressed size
    central = out.find(b"PK\x01\x02" + b"", out.find(b"PK\x01\x02"))
    while central != -1:
        offset = struct.unpack("<I", out[central + 42 : central + 46])[0]
        if offset == entry.header_offset:
            assert out[central + 24 : central + 28] == old
            out[central + 24 : central + 28] = new
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_a_lying_declared_size_does_not_get_past_the_counters() -> None:
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(250_000))
    liar = lie_about_size(data, "xl/sharedStrings.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(liar)) as check:
        assert check.getinfo("xl/sharedStrings.xml").file_size == 1000
    error = read(liar, FileLimits(max_ratio=10_000))
    # The part unpacks to no more than it declares: its checksum then fails.
    assert error.code == "bad_xlsx"


def test_a_part_bigger_than_declared_is_stopped_by_the_counter() -> None:
    # The scan's own byte counter: a budget smaller than the part stops it.
    data = swapped(workbook(), "xl/sharedStrings.xml", shared_strings(250_000))
    with zipfile.ZipFile(io.BytesIO(data)) as opened:
        entry = opened.getinfo("xl/sharedStrings.xml")
        with pytest.raises(archive.ArchiveLimit):
            archive._scan(opened, entry, 1_000_000, FileLimits())


def test_entity_definitions_are_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>'
    )
    error = read(swapped(workbook(), "xl/sharedStrings.xml", laughs), FileLimits())
    assert error.code == "bad_xlsx"


def test_a_csv_line_past_the_limit_is_refused() -> None:
    data = ("Mã phiếu,Ngày tiếp nhận,Đơn vị xử lý\nPA-1,01/02/2022," + "x" * 3000 + "\n").encode()
    error = read(data, FileLimits(max_line_kb=2), "phieu.csv")
    assert (error.code, error.values["limit"]) == ("line_too_long", 2)
    assert "max_line_kb" in error.message()


def test_csv_rows_past_the_limit_are_refused() -> None:
    lines = ["Mã phiếu,Ngày tiếp nhận,Đơn vị xử lý"] + [f"PA-{i},01/02/2022,SYT" for i in range(6)]
    error = read("\n".join(lines).encode(), FileLimits(max_rows=5), "phieu.csv")
    assert error.code == "too_many_rows"
    assert "max_rows" in error.message()


def test_a_file_past_the_size_limit_is_refused() -> None:
    error = read(workbook() + b"\0" * 1024 * 1024, FileLimits(max_file_mb=1))
    assert (error.code, error.values["limit"]) == ("too_big", 1)
