"""A table of answers an office already keeps in Excel, in the layout of `baocao export`: a
sheet per form (its questions' titles in the header row), a row per unit (its code in the
«Mã đơn vị» column), read into an AnswersFile for `baocao load-answers`.

Each value becomes the text a person would type (numbers with a decimal comma, days as
dd/mm/yyyy) and then goes through the chat's own parser when it is loaded. A sheet whose
header matches no form (the export's tickets and revisions sheets) is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.workspace.answers_file import AnswersFile, AnswersFileError, Submission
from bot.workspace.load import Workspace
from bot.workspace.problems import Problem
from bot.workspace.workbook import SheetRows, read_workbook
from domain.forms import Form
from domain.periods import Period, parse_period
from templates.catalog import text

_PERIOD_IN_NAME = re.compile(r"(\d{4}-\d{2})(?!\d)")
_WHEN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class _Columns:
    unit: int
    submitted: int | None
    fields: dict[str, int]  # field key -> column


def read_answers_xlsx(path: Path, workspace: Workspace, period: Period | None) -> AnswersFile:
    """The answers of a workbook in the export's layout; AnswersFileError naming the file,
    sheet and row of what cannot be read. `period`: None takes it from the file's name."""
    if period is None:
        found = _PERIOD_IN_NAME.search(path.stem)
        if found is None:
            raise AnswersFileError(text("report.cli.xlsx_no_period", file=path.name))
        period = parse_period(found[1])
    problems: list[Problem] = []
    sheets = read_workbook(path, path.name, problems, convert=typed_text)
    if sheets is None or problems:
        raise AnswersFileError("\n".join(str(p) for p in problems))
    zone = ZoneInfo(workspace.settings.regime.timezone)
    submissions: list[Submission] = []
    for sheet in sheets:
        matched = _form_of(sheet, workspace.forms.values())
        if matched is not None:
            form, header_row, columns = matched
            submissions += _submissions(path.name, sheet, form, header_row, columns, zone)
    if not submissions:
        raise AnswersFileError(text("report.cli.xlsx_no_form", file=path.name))
    return AnswersFile(period, tuple(submissions))


def _form_of(sheet: SheetRows, forms: Iterable[Form]) -> tuple[Form, int, _Columns] | None:
    """The form whose questions head this sheet (the first rows searched for the header)."""
    unit_title = _key(text("report.export.col_unit_code"))
    submitted_title = _key(text("report.export.col_submitted"))
    for number, cells in sheet.rows[:10]:
        keys = [_key(c) for c in cells]
        if unit_title not in keys:
            continue
        best: tuple[int, Form, dict[str, int]] | None = None
        for form in forms:
            fields = {
                f.key: keys.index(_key(f.title)) for f in form.fields if _key(f.title) in keys
            }
            if fields and (best is None or len(fields) > best[0]):
                best = (len(fields), form, fields)
        if best is None:
            return None
        submitted = keys.index(submitted_title) if submitted_title in keys else None
        return best[1], number, _Columns(keys.index(unit_title), submitted, best[2])
    return None


def _submissions(
    file: str, sheet: SheetRows, form: Form, header_row: int, columns: _Columns, zone: ZoneInfo
) -> list[Submission]:
    found = []
    for number, cells in sheet.rows:
        if number <= header_row:
            continue
        unit = _cell(cells, columns.unit)
        if not unit:
            continue
        answers = {k: v for k, c in columns.fields.items() if (v := _cell(cells, c))}
        when = _cell(cells, columns.submitted) if columns.submitted is not None else ""
        submitted_at = _moment(when, zone)
        if when and submitted_at is None:
            where = f"{file}:{sheet.title}:{number}"
            raise AnswersFileError(text("report.cli.xlsx_bad_moment", where=where, value=when))
        if answers:
            found.append(Submission(unit, form.code, answers, submitted_at, f"xlsx:{file}"))
    return found


def _cell(cells: list[str], column: int) -> str:
    return cells[column] if column < len(cells) else ""


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def _moment(value: str, zone: ZoneInfo) -> datetime | None:
    """A submission time as the export writes it (dd/mm/yyyy HH:MM:SS, office time)."""
    match = _WHEN.match(value)
    if not match:
        return None
    day, month, year, hour, minute = (int(match[i]) for i in range(1, 6))
    try:
        return datetime(year, month, day, hour, minute, int(match[6] or 0), tzinfo=zone)
    except ValueError:
        return None


def typed_text(cell: object) -> str:
    """A cell as a person would type it in chat: 0.75 as "0,75", a day as dd/mm/yyyy."""
    if isinstance(cell, bool) or cell is None:
        return "" if cell is None else str(cell)
    if isinstance(cell, datetime) and (cell.hour, cell.minute, cell.second) != (0, 0, 0):
        return cell.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, int | float | Decimal):
        number = Decimal(str(cell))
        if number == number.to_integral_value():
            return str(int(number))
        return format(number.normalize(), "f").replace(".", ",")
    return unicodedata.normalize("NFC", str(cell)).strip()
