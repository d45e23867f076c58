"""An office's Excel workbook (units.xlsx, a table of answers to load) read as the texts a
CSV file would hold, so that the readers of units.csv and of answers check both the same way.

Dates are read as days (dd/mm/yyyy), whole numbers without ".0". The file is the office's
own, yet it is bounded like any spreadsheet: its size, what it unpacks to, and its rows.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from openpyxl import load_workbook

from bot.workspace.problems import Problem

MB: Final = 1024 * 1024
MAX_FILE_MB: Final = 20
MAX_UNPACKED_MB: Final = 100
# A province has a few thousand units at most.
MAX_ROWS: Final = 20_000
XLSX_SUFFIXES: Final = (".xlsx", ".xlsm")


@dataclass(frozen=True, slots=True)
class SheetRows:
    """The first sheet of a workbook: its name, and its rows (row number, cell texts)."""

    title: str
    rows: list[tuple[int, list[str]]]


def is_xlsx(path: Path) -> bool:
    """Whether the units list is a workbook (by its name, as config.toml writes it)."""
    return path.suffix.lower() in XLSX_SUFFIXES


def read_sheet(path: Path, shown: str, problems: list[Problem]) -> SheetRows | None:
    """The first sheet's non-blank rows; None, with a problem, if the file cannot be read."""
    sheets = read_workbook(path, shown, problems, first_only=True)
    return sheets[0] if sheets else None


def read_workbook(
    path: Path,
    shown: str,
    problems: list[Problem],
    *,
    first_only: bool = False,
    convert: Callable[[Any], str] | None = None,
) -> list[SheetRows] | None:
    """Every sheet's non-blank rows, each cell made text by `convert` (cell_text by default);
    None, with a problem, if the file cannot be read."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        problems.append(Problem(shown, "units_missing"))
        return None
    except OSError as error:
        problems.append(Problem(shown, "file_unreadable", values={"detail": error.strerror}))
        return None
    if size > MAX_FILE_MB * MB:
        problems.append(Problem(shown, "xlsx_too_big", values={"limit": MAX_FILE_MB}))
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_MB * MB:
            problems.append(Problem(shown, "xlsx_too_big", values={"limit": MAX_UNPACKED_MB}))
            return None
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        # openpyxl parses an archive of XML: whatever breaks, the file is unreadable.
        problems.append(Problem(shown, "xlsx_unreadable", values={"detail": type(error).__name__}))
        return None
    try:
        sheets = []
        for sheet in book.worksheets[:1] if first_only else book.worksheets:
            sheet.reset_dimensions()  # some programs declare a sheet far larger than its data
            cells = sheet.iter_rows(values_only=True)
            rows = list(_rows(cells, shown, problems, convert or cell_text))
            sheets.append(SheetRows(sheet.title, rows))
        return sheets
    except Exception as error:
        problems.append(Problem(shown, "xlsx_unreadable", values={"detail": type(error).__name__}))
        return None
    finally:
        book.close()


def _rows(
    rows: Iterator[tuple[Any, ...]],
    shown: str,
    problems: list[Problem],
    convert: Callable[[Any], str],
) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(rows, start=1):
        if number > MAX_ROWS:
            problems.append(Problem(shown, "xlsx_too_many_rows", values={"limit": MAX_ROWS}))
            return
        cells = [convert(cell) for cell in row]
        if any(cells):
            yield number, cells


def cell_text(cell: Any) -> str:
    """A cell as a CSV file would write it: a day as dd/mm/yyyy, 12.0 as 12."""
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    # Some Vietnamese keyboards type decomposed diacritics: compare in NFC only.
    return unicodedata.normalize("NFC", str(cell)).strip()
