"""Importing the ticket list exported from the feedback system (XLSX or CSV).

The export's columns are found by their headers (named in config.toml [tickets], compared
ignoring case, diacritics, spaces and anything in brackets), wherever the header row is in
the first rows of the first sheet that has one. Every non-blank row is accounted for: it
becomes a ticket (matched to a unit or kept aside for the office to assign) or a rejected
row with its reason. Cells are data, never code: a formula is stored as its plain text.
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import io
import math
import re
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Final

from openpyxl import load_workbook
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from bot.workspace.config import TicketSettings
from domain.tickets import (
    CHANNEL_MAX,
    ID_MAX,
    STATUS_MAX,
    SUMMARY_MAX,
    UNIT_TEXT_MAX,
    ImportedTicket,
    ImportSummary,
    RejectedRow,
    RejectReason,
    UnmatchedRow,
    clean_text,
    overdue_by_unit,
    status_from_text,
)
from domain.unit_matching import UnitMatcher, fold
from domain.units import Unit
from storage import WriteTransaction
from templates.catalog import text

# Telegram hands bots files of up to 20 MB; an export is far smaller.
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 100_000
# The header row may come after a title and a few blank lines.
HEADER_SCAN_ROWS: Final = 30
# Cell values quoted back in a summary are cut to this length.
SHOWN_MAX: Final = 60

# The export's columns, by the TicketSettings field that names their headers.
COLUMN_SETTINGS: Final = {
    "id": "id_columns",
    "channel": "channel_columns",
    "received": "received_columns",
    "due": "due_columns",
    "unit": "unit_columns",
    "summary": "summary_columns",
    "status": "status_columns",
}
REQUIRED_COLUMNS: Final = ("id", "received", "unit")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
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


@dataclass(frozen=True, slots=True)
class TicketFile:
    """An export read and matched: its tickets, and the rows that could not be read."""

    file_name: str
    tickets: tuple[ImportedTicket, ...]
    rejected: tuple[RejectedRow, ...]
    columns: dict[str, str] = field(default_factory=dict)  # column -> header as written

    @property
    def rows_read(self) -> int:
        """Non-blank rows under the header."""
        return len(self.tickets) + len(self.rejected)


# ---------------------------------------------------------------- the whole import


async def import_tickets(
    tx: WriteTransaction,
    data: bytes,
    file_name: str,
    *,
    settings: TicketSettings,
    today: date,
    changed_by: str,
    units: Sequence[Unit] | None = None,
) -> ImportSummary:
    """Read an export and store its tickets; the summary for the office.

    Units are matched against `units`, by default the units stored in the database (which
    the bot syncs from the units file when it starts). `today` is the office's day, for
    the overdue counts. TicketFileError if the file cannot be imported at all.
    """
    known = list(units) if units is not None else await tx.units.all()
    return await save_ticket_file(
        tx, read_ticket_file(data, file_name, settings, known), known, today, changed_by
    )


async def save_ticket_file(
    tx: WriteTransaction,
    parsed: TicketFile,
    units: Sequence[Unit],
    today: date,
    changed_by: str,
) -> ImportSummary:
    """Store a file read by `read_ticket_file` (read it before opening the transaction
    when it is large: parsing inside would hold every other writer up).
    """
    saved = await tx.tickets.save_imported(parsed.tickets, changed_by, parsed.file_name)
    names = {u.code: u.name for u in units}
    unmatched = tuple(
        UnmatchedRow(
            line=row.line,
            ticket_id=row.id,
            unit_text=row.unit_text,
            suggestion_code=stored.suggestion,
            suggestion_name=names.get(stored.suggestion or ""),
        )
        for row in parsed.tickets
        if (stored := saved.tickets[row.id]).unit_code is None
    )
    overdue_units, unassigned = overdue_by_unit(await tx.tickets.overdue(today), units, today)
    return ImportSummary(
        file_name=parsed.file_name,
        as_of=today,
        rows_read=parsed.rows_read,
        new=len(saved.new),
        updated=len(saved.updated),
        unchanged=len(saved.unchanged),
        unmatched=unmatched,
        rejected=parsed.rejected,
        overdue_units=overdue_units,
        unassigned_overdue=unassigned,
    )


def read_ticket_file(
    data: bytes, file_name: str, settings: TicketSettings, units: Sequence[Unit]
) -> TicketFile:
    """The tickets of an export (XLSX or CSV), matched to `units`, and its rejected rows."""
    shown = clean_text(file_name, 200) or "?"
    closest: tuple[Sheet, int] | None = None
    # closing(): leaving the loop early must close the workbook at once.
    with contextlib.closing(read_sheets(data, shown)) as sheets:
        for sheet in sheets:
            found = find_columns(sheet.rows, settings)
            if isinstance(found, _Columns):
                return _read_rows(shown, sheet, found, settings, UnitMatcher(units))
            if closest is None or (found >= 0 > closest[1]):
                closest = (sheet, found)
    raise _missing_columns(settings, shown, closest)


# ---------------------------------------------------------------- sheets


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
        if not any(_cell_text(c).strip() for c in cells):
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


# ---------------------------------------------------------------- columns


def header_key(name: str) -> str:
    """A header as compared: "Mã phiếu (*)" -> "maphieu"."""
    return "".join(c for c in fold(_BRACKETS.sub(" ", name)) if c.isalnum())


@dataclass(frozen=True, slots=True)
class _Columns:
    header_index: int
    positions: dict[str, int]  # column -> position in a row
    headers: dict[str, str]  # column -> its header as written


def find_columns(rows: Sequence[Sequence[Cell]], settings: TicketSettings) -> _Columns | int:
    """The header row and where each column is; if no row has the required columns, the
    index of the row that came closest (for the error message), or -1 if none had any.
    """
    best, best_count = -1, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        keys = [header_key(_cell_text(cell)) for cell in row]
        positions: dict[str, int] = {}
        for column, setting in COLUMN_SETTINGS.items():
            for name in getattr(settings, setting):
                wanted = header_key(name)
                if wanted and wanted in keys:
                    positions[column] = keys.index(wanted)
                    break
        if all(c in positions for c in REQUIRED_COLUMNS):
            headers = {c: clean_text(_cell_text(row[p]), 100) for c, p in positions.items()}
            return _Columns(index, positions, headers)
        if len(positions) > best_count:
            best, best_count = index, len(positions)
    return best


def _missing_columns(
    settings: TicketSettings, file_name: str, closest: tuple[Sheet, int] | None
) -> TicketFileError:
    """The error for a file without the required columns, naming the headers it has."""
    row: Sequence[Cell] = ()
    if closest is not None:
        sheet, index = closest
        nonblank = (r for r in sheet.rows if any(_cell_text(c).strip() for c in r))
        row = sheet.rows[index] if index >= 0 else next(nonblank, ())
    headers = [h for h in (clean_text(_cell_text(c), 40) for c in row) if h][:20]
    found = {header_key(h): h for h in headers}
    missing = []
    for column in REQUIRED_COLUMNS:
        names: tuple[str, ...] = getattr(settings, COLUMN_SETTINGS[column])
        wanted = [header_key(n) for n in names]
        if not any(w in found for w in wanted):
            missing.append(
                {
                    "label": text(f"tickets.column.{column}"),
                    "key": COLUMN_SETTINGS[column],
                    "names": names,
                    "suggestion": _closest_header(wanted, found),
                }
            )
    return TicketFileError("missing_columns", file=file_name, missing=missing, headers=headers)


def _closest_header(wanted: list[str], found: dict[str, str]) -> str:
    """The header most like one of the wanted names ("" if none is alike)."""
    best, best_ratio = "", 0.6
    for name in wanted:
        for key, header in found.items():
            ratio = difflib.SequenceMatcher(None, name, key).ratio()
            if ratio > best_ratio:
                best, best_ratio = header, ratio
    return best


# ---------------------------------------------------------------- rows


def _read_rows(
    file_name: str,
    sheet: Sheet,
    columns: _Columns,
    settings: TicketSettings,
    matcher: UnitMatcher,
) -> TicketFile:
    tickets: list[ImportedTicket] = []
    rejected: list[RejectedRow] = []
    first_line: dict[str, int] = {}
    for index in range(columns.header_index + 1, len(sheet.rows)):
        line = index + 1
        row = _RowCells(sheet.rows[index], columns, sheet.epoch)
        if row.blank():
            continue
        result = _ticket(line, row, settings, matcher)
        if isinstance(result, RejectedRow):
            rejected.append(result)
        elif result.id in first_line:
            rejected.append(
                RejectedRow(
                    line,
                    RejectReason.DUPLICATE_ID,
                    ticket_id=result.id,
                    column=columns.headers["id"],
                    value=_shown(result.id),
                    first_line=first_line[result.id],
                )
            )
        else:
            first_line[result.id] = line
            tickets.append(result)
    return TicketFile(file_name, tuple(tickets), tuple(rejected), dict(columns.headers))


class _RowCells:
    """One row's cells by column name."""

    def __init__(self, cells: Sequence[Cell], columns: _Columns, epoch: datetime) -> None:
        self.cells = cells
        self.columns = columns
        self.epoch = epoch

    def raw(self, column: str) -> Cell:
        position = self.columns.positions.get(column)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def text(self, column: str, limit: int, *, multiline: bool = False) -> str:
        return clean_text(_cell_text(self.raw(column)), limit, multiline=multiline)

    def header(self, column: str) -> str:
        return self.columns.headers.get(column, "")

    def blank(self) -> bool:
        return not any(clean_text(_cell_text(c), 10) for c in self.cells)


def _ticket(
    line: int, row: _RowCells, settings: TicketSettings, matcher: UnitMatcher
) -> ImportedTicket | RejectedRow:
    ticket_id = row.text("id", 10 * ID_MAX)
    if not ticket_id:
        return RejectedRow(line, RejectReason.MISSING_ID, column=row.header("id"))
    if len(ticket_id) > ID_MAX:
        return RejectedRow(
            line, RejectReason.ID_TOO_LONG, column=row.header("id"), value=_shown(ticket_id)
        )
    dates: dict[str, date | None] = {}
    for column, missing, bad in (
        ("received", RejectReason.MISSING_RECEIVED, RejectReason.BAD_RECEIVED),
        ("due", None, RejectReason.BAD_DUE),
    ):
        value = row.raw(column)
        try:
            dates[column] = parse_day(value, row.epoch)
        except ValueError:
            return RejectedRow(
                line, bad, ticket_id, row.header(column), _shown(row.text(column, 1000))
            )
        if dates[column] is None and missing is not None:
            return RejectedRow(line, missing, ticket_id, row.header(column))
    received = dates["received"]
    assert received is not None
    unit_text = row.text("unit", UNIT_TEXT_MAX)
    match = matcher.match(unit_text)
    source_status = row.text("status", STATUS_MAX)
    return ImportedTicket(
        line=line,
        id=ticket_id,
        received_on=received,
        status=status_from_text(source_status, settings.handled_statuses),
        channel=row.text("channel", CHANNEL_MAX),
        due_on=dates["due"],
        unit_text=unit_text,
        unit_code=match.unit_code,
        suggestion=match.suggestion,
        summary=row.text("summary", SUMMARY_MAX, multiline=True),
        source_status=source_status,
    )


def _shown(value: str) -> str:
    return clean_text(value, SHOWN_MAX)


def _cell_text(cell: Cell) -> str:
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
