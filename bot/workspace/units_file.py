"""The units list: a CSV file (as saved by Excel or LibreOffice), or the workbook itself
(units.xlsx, its first sheet), read into domain Units.

Headers may be English or Vietnamese, with or without diacritics; a UTF-8 BOM (which Excel
writes) is fine. Every problem names the file and the line (a workbook's: sheet and row).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections.abc import Collection, Iterator
from datetime import date
from pathlib import Path
from typing import Final

from bot.workspace.problems import ConfigError, Problem
from bot.workspace.workbook import is_xlsx, read_sheet
from domain.units import CODE_MAX_BYTES, Unit

# Column -> the header names accepted for it (compared after _normalize_header).
COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "code": ("code", "ma", "mã", "mã đơn vị", "ma_don_vi", "ma don vi"),
    "name": ("name", "ten", "tên", "tên đơn vị", "ten_don_vi", "ten don vi"),
    "group": ("group", "nhom", "nhóm"),
    "forms": ("forms", "bieu_mau", "biểu mẫu", "bieu mau"),
    "aliases": ("aliases", "ten_khac", "tên khác", "ten khac"),
    "effective_from": ("effective_from", "hieu_luc_tu", "hiệu lực từ", "hieu luc tu"),
    "effective_to": ("effective_to", "hieu_luc_den", "hiệu lực đến", "hieu luc den"),
}
REQUIRED_COLUMNS: Final = ("code", "name", "group", "forms")
LIST_SEPARATOR: Final = ";"

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def load_units(path: Path | str, form_codes: Collection[str] | None = None) -> tuple[Unit, ...]:
    """The units of a CSV file; ConfigError listing every problem if any.

    `form_codes`, when given, are the forms that exist: a unit owing another is a problem.
    """
    path = Path(path).absolute()
    units, problems = read_units(path, path.name, form_codes)
    if problems:
        raise ConfigError(problems)
    return units


def read_units(
    path: Path, shown: str, form_codes: Collection[str] | None
) -> tuple[tuple[Unit, ...], list[Problem]]:
    """The sound units of a CSV file or a workbook and every problem found, shown as file
    `shown` (a workbook's problems as `shown:sheet`, at the sheet's row)."""
    problems: list[Problem] = []
    if is_xlsx(path):
        sheet = read_sheet(path, shown, problems)
        if sheet is None:
            return (), problems
        return _units_of(iter(sheet.rows), f"{shown}:{sheet.title}", form_codes, problems)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return (), [Problem(shown, "units_missing")]
    except OSError as error:
        return (), [Problem(shown, "file_unreadable", values={"detail": error.strerror})]
    try:
        # Some Vietnamese keyboards type decomposed diacritics: compare in NFC only.
        source = unicodedata.normalize("NFC", raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return (), [Problem(shown, "csv_not_utf8")]
    reader = csv.reader(io.StringIO(source, newline=""), delimiter=_delimiter(source))

    def records() -> Iterator[tuple[int, list[str]]]:
        line = 1  # where the next record starts (a quoted cell may span lines)
        for row in reader:
            yield line, row
            line = reader.line_num + 1

    return _units_of(records(), shown, form_codes, problems)


def _units_of(
    records: Iterator[tuple[int, list[str]]],
    shown: str,
    form_codes: Collection[str] | None,
    problems: list[Problem],
) -> tuple[tuple[Unit, ...], list[Problem]]:
    """The units of (line, cells) records whose first is the header row."""
    line, header = next(records, (1, []))
    if not header or not any(cell.strip() for cell in header):
        return (), [*problems, Problem(shown, "no_units")]
    positions = _columns(header, shown, problems, line)
    if positions is None:
        return (), problems
    rows = _RowReader(positions, header, shown, form_codes, problems)
    units: list[Unit] = []
    order = 0
    for line, row in records:
        if any(cell.strip() for cell in row):  # Excel leaves rows of empty cells
            order += 1
            unit = rows.unit(row, line, order)
            if unit is not None:
                units.append(unit)
    if not units and not problems:
        problems.append(Problem(shown, "no_units"))
    return tuple(units), problems


def _delimiter(source: str) -> str:
    """The separator of the header line: Excel in a Vietnamese locale saves with ";"."""
    first = source.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _normalize_header(name: str) -> str:
    return " ".join(name.strip().lower().split())


def _columns(
    header: list[str], shown: str, problems: list[Problem], line: int = 1
) -> dict[str, int] | None:
    """Column -> its position in a row; None (with problems) if a required one is missing."""
    accepted = {alias: column for column, names in COLUMNS.items() for alias in names}
    positions: dict[str, int] = {}
    for position, title in enumerate(header):
        column = accepted.get(_normalize_header(title))
        if column is None:
            continue  # other columns (notes, phone numbers...) are the office's business
        if column in positions:
            first = header[positions[column]].strip()
            problems.append(
                Problem(
                    shown,
                    "duplicate_column",
                    line=line,
                    values={"first": first, "second": title.strip()},
                )
            )
        else:
            positions[column] = position
    unused = [t.strip() for t in header if _normalize_header(t) not in accepted and t.strip()]
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    for column in missing:
        names = COLUMNS[column]
        problems.append(
            Problem(
                shown,
                "missing_column",
                line=line,
                values={
                    "names": ", ".join(f'"{n}"' for n in names[:4]),
                    "suggestion": _closest(names, unused),
                },
            )
        )
    return None if missing else positions


def _closest(names: tuple[str, ...], headers: list[str]) -> str:
    """The header most like one of `names` (a likely typo), or ""."""
    normalized = {_normalize_header(h): h for h in headers}
    for name in names:
        close = difflib.get_close_matches(name, list(normalized), n=1, cutoff=0.75)
        if close:
            return normalized[close[0]]
    return ""


class _RowReader:
    """Turns CSV rows into Units, recording each row's problems with its line."""

    def __init__(
        self,
        positions: dict[str, int],
        header: list[str],
        shown: str,
        form_codes: Collection[str] | None,
        problems: list[Problem],
    ) -> None:
        self.positions = positions
        # Problems name a column by its header as the file writes it ("mã đơn vị", "code").
        self.titles = {column: header[p].strip() for column, p in positions.items()}
        self.shown = shown
        self.form_codes = form_codes
        self.problems = problems
        self.codes: dict[str, int] = {}  # casefolded code -> line it first appears on

    def problem(self, line: int, column: str, code: str, **values: object) -> None:
        """Record a problem about a cell, named by its column header as the file writes it."""
        key = self.titles.get(column, column)
        self.problems.append(Problem(self.shown, code, key=key, line=line, values=values))

    def cell(self, row: list[str], column: str) -> str:
        """A cell's text, stripped; "" for a missing column or a short row."""
        position = self.positions.get(column)
        if position is None or position >= len(row):
            return ""
        return row[position].strip()

    def unit(self, row: list[str], line: int, order: int) -> Unit | None:
        """The unit of a row; None (with problems) if the row has mistakes."""
        before = len(self.problems)
        code = self.cell(row, "code")
        if not code:
            self.problem(line, "code", "empty_code")
        elif code.casefold() in self.codes:
            first = self.codes[code.casefold()]
            self.problem(line, "code", "duplicate_code", unit=code, first_line=first)
        elif len(code.encode("utf-8")) > CODE_MAX_BYTES:
            self.problem(line, "code", "code_too_long", unit=code, limit=CODE_MAX_BYTES)
        else:
            self.codes[code.casefold()] = line
        name = self.cell(row, "name")
        if not name:
            self.problem(line, "name", "empty_name", unit=code)
        group = self.cell(row, "group")
        if not group:
            self.problem(line, "group", "empty_group", unit=code)
        forms = _split(self.cell(row, "forms"))
        self._check_forms(forms, line)
        start = self._date(row, "effective_from", line)
        end = self._date(row, "effective_to", line)
        if start and end and end < start:
            self.problem(
                line,
                "effective_to",
                "date_order",
                start=start.strftime("%d/%m/%Y"),
                end=end.strftime("%d/%m/%Y"),
            )
        if len(self.problems) > before:
            return None
        return Unit(
            code=code,
            name=name,
            group=group,
            forms=forms,
            order=order,
            aliases=_split(self.cell(row, "aliases")),
            effective_from=start,
            effective_to=end,
        )

    def _check_forms(self, forms: tuple[str, ...], line: int) -> None:
        if not forms:
            self.problem(line, "forms", "no_forms")
        if self.form_codes is None:
            return  # the forms folder could not be read: its problems are reported instead
        known = sorted(self.form_codes)
        for form in forms:
            if form not in self.form_codes:
                close = difflib.get_close_matches(form, known, n=1)
                self.problem(
                    line,
                    "forms",
                    "unknown_form",
                    form=form,
                    suggestion=close[0] if close else "",
                    known=", ".join(known),
                )

    def _date(self, row: list[str], column: str, line: int) -> date | None:
        value = self.cell(row, column)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(line, column, "bad_date", value=value)
        return parsed


def _split(cell: str) -> tuple[str, ...]:
    """A ";"-separated list cell, without blanks."""
    return tuple(item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip())


def parse_date(value: str) -> date | None:
    """A day written dd/mm/yyyy or yyyy-mm-dd; None if it is not a real day."""
    if match := _DMY.match(value):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    elif match := _ISO.match(value):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
