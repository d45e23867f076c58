"""A ticket export as sheets of cells: XLSX or CSV told apart by the file's bytes, the size
and row limits, a cell's text and the day a cell holds.

Cells are data, never code: a formula is read as its plain text.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from bot.tickets.archive import ArchiveLimit, check_archive
from bot.workspace.settings import FileLimits
from domain.tickets import clean_text
from templates.catalog import text

MB: Final = 1024 * 1024
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

# The csv module's limit on one cell is process-wide: set once here, when this module is first
# imported, never per file (two imports in threads would undo each other's setting). Its
# default, 128 KiB, would abort a whole import on one huge cell; such a cell is cut when
# stored instead, and a file is at most [tickets] max_file_mb anyway.
_FIELD_LIMIT = 1 << 30
csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))

Cell = Any  # what openpyxl or the csv module hands out: str, numbers, dates, None, ...
Rows = Iterator[Sequence[Cell]]


class TicketFileError(Exception):
    """The file cannot be imported at all; nothing was imported."""

    def __init__(self, code: str, **values: Any) -> None:
        self.code = code
        self.values = values
        super().__init__(self.message())

    def message(self) -> str:
        """What is wrong and what to do, in Vietnamese (templates/texts/tickets.toml)."""
        return text(f"tickets.file_error.{self.code}", **self.values)

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any]]]:
        # Raised in the child process that reads the file: rebuilt from code and values.
        return _file_error, (self.code, self.values)


def _file_error(code: str, values: dict[str, Any]) -> TicketFileError:
    return TicketFileError(code, **values)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: its first rows, read at once to find the header, and the rows after them,
    read one at a time (row i is Excel's row i + 1), and its date system.

    Only the first rows are ever held: a large sheet streams through, never whole in memory.
    """

    name: str
    head: list[Sequence[Cell]]
    rest: Rows
    epoch: datetime = WINDOWS_EPOCH


def read_sheets(data: bytes, file_name: str, limits: FileLimits) -> Generator[Sheet, None, None]:
    """The sheets of an XLSX file, or the one sheet of a CSV file; TicketFileError (here, or
    while a sheet's rows are read) if the file is unreadable or passes a limit.
    """
    if not data.strip():
        raise TicketFileError("empty", file=file_name)
    if len(data) > limits.max_file_mb * MB:
        raise TicketFileError("too_big", file=file_name, limit=limits.max_file_mb)
    if data.startswith(_OLE_MAGIC):
        raise TicketFileError("old_xls", file=file_name)
    if data.startswith(_ZIP_MAGIC):
        yield from _xlsx_sheets(data, file_name, limits)
    elif file_name.lower().endswith((".xlsx", ".xlsm")):
        raise TicketFileError("bad_xlsx", file=file_name, detail="not a zip archive")
    else:
        yield _csv_sheet(data, file_name, limits)


def _xlsx_sheets(data: bytes, file_name: str, limits: FileLimits) -> Generator[Sheet, None, None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive, limits)
        # Not data_only: a formula cell then reads as its text ("=HYPERLINK(...)"), which
        # is stored as plain text; the cached result may be missing anyway.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ArchiveLimit as limit:
        raise TicketFileError(f"xlsx_{limit.code}", file=file_name, limit=limit.limit) from None
    except Exception as error:
        # openpyxl parses an untrusted archive of XML: whatever breaks, the file is unreadable.
        raise TicketFileError("bad_xlsx", file=file_name, detail=type(error).__name__) from error
    try:
        for sheet in book.worksheets:
            # Some programs declare a sheet far larger than its data: ask for the rows only.
            sheet.reset_dimensions()
            rows = _counted(sheet.iter_rows(min_row=1, values_only=True), file_name, limits)
            head = list(_guarded(itertools.islice(rows, HEADER_SCAN_ROWS), file_name, "bad_xlsx"))
            yield Sheet(sheet.title, head, _guarded(rows, file_name, "bad_xlsx"), book.epoch)
    finally:
        book.close()


def _csv_sheet(data: bytes, file_name: str, limits: FileLimits) -> Sheet:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    line_limit = limits.max_line_kb * 1024
    first = list(
        _guarded(
            itertools.islice(_lines(data, encoding, line_limit), HEADER_SCAN_ROWS),
            file_name,
            "bad_csv",
        )
    )
    delimiter = max(",;\t", key=lambda sep: max((line.count(sep) for line in first), default=0))
    records = _csv_records(_lines(data, encoding, line_limit), delimiter, line_limit)
    rows = _guarded(_counted(records, file_name, limits), file_name, "bad_csv")
    head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    return Sheet("", head, rows)


def _lines(data: bytes, encoding: str, limit: int) -> Iterator[str]:
    """The file's lines decoded as they are read, NUL characters dropped; LineTooLong past
    `limit` characters."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    while line := stream.readline(limit + 1):
        if len(line) > limit:
            raise _LineTooLong(limit)
        yield line.replace("\x00", "")


def _csv_records(lines: Iterator[str], delimiter: str, limit: int) -> Rows:
    # Lines are held to `limit` by _lines; the field limit is set once (_FIELD_LIMIT).
    return csv.reader(lines, delimiter=delimiter)


class _LineTooLong(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


def _guarded(rows: Iterable[Sequence[Cell]], file_name: str, unreadable: str) -> Rows:
    """The rows, with whatever breaks while reading them turned into TicketFileError."""
    try:
        yield from rows
    except TicketFileError:
        raise
    except UnicodeDecodeError as error:
        raise TicketFileError("not_utf8", file=file_name) from error
    except _LineTooLong as error:
        raise TicketFileError("line_too_long", file=file_name, limit=error.limit // 1024) from None
    except Exception as error:  # an untrusted file's XML or CSV: anything may break
        detail = str(error) if isinstance(error, csv.Error) else type(error).__name__
        raise TicketFileError(unreadable, file=file_name, detail=detail) from error


def _counted(rows: Iterable[Sequence[Cell]], file_name: str, limits: FileLimits) -> Rows:
    """The rows; TicketFileError past max_rows rows with data under the header (blank ones
    are not counted)."""
    filled = 0
    for cells in rows:
        if any(cell_text(c).strip() for c in cells):
            filled += 1
            if filled > limits.max_rows + 1:  # the header row is not a ticket
                raise TicketFileError("too_many_rows", file=file_name, limit=limits.max_rows)
        yield cells


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
