"""Reading a ticket export: its columns found by their headers, each row a ticket matched to a
unit (or kept aside for the office to assign) or a rejected row with its reason.

The columns are found by their headers (named in config.toml [tickets], compared ignoring
case, diacritics, spaces and anything in brackets), wherever the header row is in the first
rows of the first sheet that has one (bot/tickets/sheets.py reads the sheets). Every non-blank
row is accounted for.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from bot.tickets.sheets import (
    HEADER_SCAN_ROWS,
    Cell,
    Sheet,
    TicketFileError,
    cell_text,
    parse_day,
    read_sheets,
)
from bot.workspace.settings import TicketSettings
from domain.ticket_import import ImportedTicket, RejectedRow, RejectReason, status_from_text
from domain.tickets import CHANNEL_MAX, ID_MAX, STATUS_MAX, SUMMARY_MAX, UNIT_TEXT_MAX, clean_text
from domain.unit_matching import UnitMatcher, fold
from domain.units import Unit
from templates.catalog import text

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
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


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


def read_ticket_file(
    data: bytes, file_name: str, settings: TicketSettings, units: Sequence[Unit]
) -> TicketFile:
    """The tickets of an export (XLSX or CSV), matched to `units`, and its rejected rows."""
    shown = clean_text(file_name, 200) or "?"
    closest: tuple[Sheet, int] | None = None
    # closing(): leaving the loop early must close the workbook at once.
    with contextlib.closing(read_sheets(data, shown, settings.limits)) as sheets:
        for sheet in sheets:
            found = find_columns(sheet.head, settings)
            if isinstance(found, _Columns):
                return _read_rows(shown, sheet, found, settings, UnitMatcher(units))
            if closest is None or (found >= 0 > closest[1]):
                closest = (sheet, found)
    raise _missing_columns(settings, shown, closest)


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
        keys = [header_key(cell_text(cell)) for cell in row]
        positions: dict[str, int] = {}
        for column, setting in COLUMN_SETTINGS.items():
            for name in getattr(settings, setting):
                wanted = header_key(name)
                if wanted and wanted in keys:
                    positions[column] = keys.index(wanted)
                    break
        if all(c in positions for c in REQUIRED_COLUMNS):
            headers = {c: clean_text(cell_text(row[p]), 100) for c, p in positions.items()}
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
        nonblank = (r for r in sheet.head if any(cell_text(c).strip() for c in r))
        row = sheet.head[index] if index >= 0 else next(nonblank, ())
    headers = [h for h in (clean_text(cell_text(c), 40) for c in row) if h][:20]
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
    following = itertools.chain(sheet.head[columns.header_index + 1 :], sheet.rest)
    for line, cells in enumerate(following, start=columns.header_index + 2):
        row = _RowCells(cells, columns, sheet.epoch)
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
        return clean_text(cell_text(self.raw(column)), limit, multiline=multiline)

    def header(self, column: str) -> str:
        return self.columns.headers.get(column, "")

    def blank(self) -> bool:
        return not any(clean_text(cell_text(c), 10) for c in self.cells)


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
