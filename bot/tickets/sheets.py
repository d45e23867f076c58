"""A ticket export as sheets of cells: XLSX or CSV told apart by the file's bytes, the size
and row limits, a cell's text and the day a cell holds.

Cells are data, never code: a formula is read as its plain text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from domain.tickets import clean_text
from templates.catalog import text

# Telegram hands bots files of up to 20 MB; an export is far smaller.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 100_000
# The header row may come after a title and a few blank lines.
HEADER_SCAN_ROWS: Final = 30

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?"
_DAY_MONTH_YEAR = re.compile(
    rf"^(?:{_TIME}[\s,-]+)?(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-](?P<y>\d{{4}})"
    rf"(?:[\sT,-]+{_TIME})?$"
)
_YEAR_MONTH_DAY = re.compile(
    rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[\sT]{_TIME}(?:Z|[+-]\d{{2}}:?\d{{2}})?)?$"
)
# A date cell that lost its format on the way to CSV shows its Excel serial number.
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
# Excel's serials run from 1 (01/01/1900) to 2958465 (31/12/9999).
_SERIAL_RANGE = (1, 2958466)

Cell = Any  # what openpyxl or the csv module hands out: str, numbers, dates, None, ...


class TicketFileError(Exception):
    """The file cannot be imported at all; nothing was imported."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(self.message())

    def message(self) -> str:
        """What is wrong and what to do, in Vietnamese (templates/texts/tickets.toml)."""
        return text(f"tickets.file_error.{self.code}", **self.values)


@dataclass(frozen=True, slots=True)
class Sheet:
    """The rows of one sheet (row i is Excel's row i + 1), and its date system."""

    name: str
    rows: list[Sequence[Cell]]
    epoch: datetime = WINDOWS_EPOCH


def read_sheets(data: bytes, file_name: str) -> Generator[Sheet, None, None]:
    """The sheets of an XLSX file, or the one sheet of a CSV file."""
    if not data.strip():
        raise TicketFileError("empty", file=file_name)
    if len(data) > MAX_FILE_BYTES:
        raise TicketFileError("too_big", file=file_name, limit=MAX_FILE_BYTES // (1024 * 1024))
    if data.startswith(_OLE_MAGIC):
        raise TicketFileError("old_xls", file=file_name)
    if data.startswith(_ZIP_MAGIC):
        yield from _xlsx_sheets(data, file_name)
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise TicketFileError("bad_xlsx", file=file_name, detail="not a zip archive")
    else:
        yield _csv_sheet(data, file_name)


def _xlsx_sheets(data: bytes, file_name: str) -> Generator[Sheet, None, None]:
    try:
        # Not data_only: a formula cell then reads as its text ("=HYPERLINK(...)"), which
        # is stored as plain text; the cached result may be missing anyway.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:
        # openpyxl parses an untrusted archive of XML: whatever breaks, the file is unreadable.
        raise TicketFileError("bad_xlsx", file=file_name, detail=type(error).__name__) from error
    try:
        for sheet in book.worksheets:
            # Some programs declare a sheet far larger than its data: ask for the rows only.
            sheet.reset_dimensions()
            try:
                rows = _collect(sheet.iter_rows(min_row=1, values_only=True), file_name)
            except TicketFileError:
                raise
            except Exception as error:  # as above, for the sheet's own XML
                raise TicketFileError(
                    "bad_xlsx", file=file_name, detail=type(error).__name__
                ) from error
            yield Sheet(sheet.title, rows, book.epoch)
    finally:
        book.close()


def _csv_sheet(data: bytes, file_name: str) -> Sheet:
    source = _decode(data, file_name).replace("\x00", "")
    lines = source.splitlines()[:HEADER_SCAN_ROWS]
    delimiter = max(",;\t", key=lambda sep: max((line.count(sep) for line in lines), default=0))
    previous = csv.field_size_limit()
    # The default limit (128 KiB per cell) would abort the whole import on one huge cell;
    # such a cell is cut when stored instead. Restored at once: the limit is process-wide.
    csv.field_size_limit(max(previous, len(source) + 1))
    try:
        rows = _collect(csv.reader(io.StringIO(source, newline=""), delimiter=delimiter), file_name)
    except csv.Error as error:
        raise TicketFileError("bad_csv", file=file_name, detail=str(error)) from error
    finally:
        csv.field_size_limit(previous)
    return Sheet("", rows)


def _collect(rows: Iterable[Sequence[Cell]], file_name: str) -> list[Sequence[Cell]]:
    """The rows up to the last one with data (blank rows between them kept, so that row
    numbers stay Excel's); TicketFileError past MAX_ROWS rows with data.
    """
    kept: list[Sequence[Cell]] = []
    blank_run = 0
    filled = 0
    for cells in rows:
        if not any(cell_text(c).strip() for c in cells):
            blank_run += 1
            continue
        filled += 1
        if filled > MAX_ROWS:
            raise TicketFileError("too_many_rows", file=file_name, limit=MAX_ROWS)
        kept.extend([()] * blank_run)
        blank_run = 0
        kept.append(cells)
    return kept


def _decode(data: bytes, file_name: str) -> str:
    """CSV text: UTF-8 (Excel's "CSV UTF-8" adds a BOM) or UTF-16 with its BOM."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TicketFileError("not_utf8", file=file_name) from error


# ---------------------------------------------------------------- cells


def cell_text(cell: Cell) -> str:
    """A cell as text: numbers without a spurious ".0", dates as dd/mm/yyyy."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.strftime("%d/%m/%Y %H:%M") if cell.time() != time(0) else f"{cell:%d/%m/%Y}"
    if isinstance(cell, date):
        return f"{cell:%d/%m/%Y}"
    if isinstance(cell, time):
        return cell.strftime("%H:%M")
    return str(cell)


def parse_day(cell: Cell, epoch: datetime = WINDOWS_EPOCH) -> date | None:
    """The day a cell holds: an Excel date, an Excel serial number, or text such as
    "13/02/2022", "2022-02-13", "13-02-2022 16:00" (day first: never month first).
    None for a blank cell; ValueError for anything else.
    """
    if cell is None:
        return None
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, bool | time):
        raise ValueError(f"not a date: {cell!r}")
    if isinstance(cell, int | float):
        return _from_serial(float(cell), epoch)
    typed = clean_text(str(cell), 100)
    if not typed:
        return None
    if _SERIAL.match(typed):
        return _from_serial(float(typed), epoch)
    match = _DAY_MONTH_YEAR.match(typed) or _YEAR_MONTH_DAY.match(typed)
    if match is None:
        raise ValueError(f"not a date: {typed!r}")
    return date(int(match["y"]), int(match["m"]), int(match["d"]))


def _from_serial(serial: float, epoch: datetime) -> date:
    if math.isnan(serial) or not _SERIAL_RANGE[0] <= serial < _SERIAL_RANGE[1]:
        raise ValueError(f"not an Excel date: {serial!r}")
    moment = from_excel(serial, epoch)
    if not isinstance(moment, datetime):
        raise ValueError(f"not an Excel date: {serial!r}")
    return moment.date()
