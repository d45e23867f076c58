"""`baocao export` for a longer period: a sheet per form, a row per unit, the numeric
questions of each month, then the period's figures added up as the form declares (empty
where a unit left a month out; the months it left out are listed).

The months stream from storage into the running totals and into each unit's row already
written out as cells, so that a year of a big office is never held as values at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

from bot.report.aggregate import owing
from bot.report.gather import stream_months
from bot.report.xlsx_writer import XlsxWriter
from bot.workspace.load import Workspace
from domain.aggregation import MonthFold
from domain.forms import Form
from domain.report_figures import PeriodAnswers
from domain.report_periods import ReportPeriod
from domain.units import Unit
from storage import Database
from templates.catalog import text
from templates.periods import period_label


class _NumberCells:
    """Numeric answers as cells, from the text storage keeps: a plain number is written as
    it is (what a Decimal of it prints), any other text through its Decimal. A year has
    millions of them, mostly the same few thousand numbers: each is written out once."""

    _KEEP = 100_000  # numbers remembered: a bound on the memory of a very varied office

    def __init__(self, book: XlsxWriter) -> None:
        self._book = book
        self._written: dict[str | None, str] = {None: book.cell(None)}

    def row(self, stored: Mapping[str, str | None], keys: Sequence[str]) -> str:
        """The cells of these fields' answers (an empty cell for one not given)."""
        written, get = self._written, stored.get
        out = []
        for key in keys:
            text = get(key)
            cell = written.get(text)
            if cell is None:
                assert text is not None
                cell = self._book.number_cell(text) or self._book.cell(Decimal(text))
                if len(written) < self._KEEP:
                    written[text] = cell
            out.append(cell)
        return "".join(out)


def _rows(
    book: XlsxWriter,
    form: Form,
    units: Sequence[Unit],
    period: ReportPeriod,
    months: Mapping[str, dict[int, str]],
    added: PeriodAnswers,
    owed: set[str],
) -> Iterator[str]:
    """A row per unit owing or answering the form, in configured order, written out."""
    keys = [f.key for f in form.fields if f.type.is_numeric]
    blank = book.cells(*[None] * len(keys))
    for unit in units:
        given = months.get(unit.code)
        if unit.code not in owed and given is None:
            continue
        given = given or {}
        left_out = [
            m.label for i, m in enumerate(period.months) if i not in given and form.due_in(m.month)
        ]
        period_values = added.unit_values(form.code, unit.code)
        yield (
            book.cells(unit.code, unit.name, ", ".join(left_out))
            + "".join(given.get(i, blank) for i in range(len(period.months)))
            + book.cells(*[period_values.get(key) for key in keys])
        )


async def export_span_xlsx(db: Database, workspace: Workspace, period: ReportPeriod) -> bytes:
    """The longer period's workbook: per form, each month's figures and the period's."""
    forms, units = workspace.forms, workspace.units
    owed = owing(units, period, workspace)
    fold = MonthFold(period, forms, owed, period.months)
    book = XlsxWriter()
    numeric = {
        code: [f.key for f in form.fields if f.type.is_numeric] for code, form in forms.items()
    }
    index = {month: i for i, month in enumerate(period.months)}
    # form -> unit -> month index -> that month's numeric answers, written out as cells
    cells: dict[str, dict[str, dict[int, str]]] = {code: {} for code in forms}
    written = _NumberCells(book)
    async with db.read() as view:
        async for month, answered in stream_months(view, forms, period.months):
            for form_code, unit_code, stored in answered:
                fold.add_stored(month, form_code, unit_code, stored)
                row = cells[form_code].setdefault(unit_code, {})
                row[index[month]] = written.row(stored, numeric[form_code])
    added = fold.result().answers
    for form in forms.values():
        titles = [f.title for f in form.fields if f.type.is_numeric]
        header = [
            text("report.export.col_unit_code"),
            text("report.export.col_unit"),
            text("report.export.col_months_missing"),
        ]
        for label in [m.label for m in period.months] + [period_label(period)]:
            header += [f"{title} ({label})" for title in titles]
        rows = _rows(book, form, units, period, cells[form.code], added, owed.get(form.code, set()))
        _, sheet = book.open_sheet(form.title, header, (12, 36, 20, *[16] * (len(header) - 3)))
        sheet.write_cells(rows)
        sheet.close()
    return book.finish()
