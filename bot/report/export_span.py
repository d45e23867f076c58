"""`baocao export` for a longer period: a sheet per form, a row per unit, and for each
numeric question one column per month then the period's figure, added up as the form
declares (empty where a unit left a month out; the months it left out are listed)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from bot.report.aggregate import owing
from bot.report.gather import read_months
from bot.report.xlsx_writer import Cell, XlsxWriter
from bot.workspace.load import Workspace
from domain.aggregation import aggregate_answers
from domain.forms import Form
from domain.report_figures import PeriodAnswers
from domain.report_periods import ReportPeriod
from domain.units import Unit
from domain.values import TypedValue
from storage import Database
from templates.catalog import text


def _cell(value: TypedValue | None) -> Cell:
    if value is None or isinstance(value, Decimal | str):
        return value
    return value.strftime("%d/%m/%Y")


def _rows(
    form: Form,
    units: Sequence[Unit],
    monthly: Sequence[PeriodAnswers],
    added: PeriodAnswers,
    owed: set[str],
) -> Iterator[list[Cell]]:
    """A row per unit owing or answering the form, in configured order."""
    numeric = [f for f in form.fields if f.type.is_numeric]
    answered = {code for month in monthly for code in month.values.get(form.code, {})}
    for unit in units:
        if unit.code not in owed and unit.code not in answered:
            continue
        left_out = [m.period.label for m in monthly if not m.unit_values(form.code, unit.code)]
        row: list[Cell] = [unit.code, unit.name, ", ".join(left_out)]
        for field in numeric:
            for month in monthly:
                row.append(_cell(month.unit_values(form.code, unit.code).get(field.key)))
            row.append(_cell(added.unit_values(form.code, unit.code).get(field.key)))
        yield row


async def export_span_xlsx(db: Database, workspace: Workspace, period: ReportPeriod) -> bytes:
    """The longer period's workbook: per form, each month's figures and the period's."""
    forms, units = workspace.forms, workspace.units
    async with db.read() as view:
        by_month = await read_months(view, forms, period.months)
    monthly = [by_month[month] for month in period.months]
    owed = owing(units, period, workspace)
    added = aggregate_answers(period, monthly, forms, owed)
    book = XlsxWriter()
    for form in forms.values():
        header = [
            text("report.export.col_unit_code"),
            text("report.export.col_unit"),
            text("report.export.col_months_missing"),
        ]
        numeric = [f for f in form.fields if f.type.is_numeric]
        for field in numeric:
            header += [f"{field.title} ({month.label})" for month in period.months]
            header.append(f"{field.title} ({period.label})")
        rows = _rows(form, units, monthly, added.answers, owed.get(form.code, set()))
        widths = (12, 36, 20, *[16] * (len(header) - 3))
        book.sheet(form.title, header, rows, widths)
    return book.finish()
