"""A form's figures for a period: units × figures with the totals row, the consistency
warnings highlighted, the units without an answer marked; for a chosen figure, its trend
over the last 12 periods drawn as inline SVG.

Answers are read as the draft reads them (bot.report.gather), totals are the draft's
figures (domain.report_figures.read_figure: sums, percentages recomputed from their parts
or shown as a range), warnings the draft's per-unit checks in the draft's words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aiohttp import web

from bot.report.charts import MIN_POINTS, chart_periods
from bot.report.gather import read_field_over, read_fields_over
from bot.report.warning_text import warning_text
from bot.web.auth import signed_in
from bot.web.dashboard import Dashboard, dashboard_of
from bot.web.listing import asked_page
from bot.web.overview import chosen_period
from bot.web.render import page
from bot.web.svg_chart import TrendChart, trend_chart
from domain.calendar import period_window
from domain.forms import Field, Form
from domain.numbers import format_number
from domain.periods import Period
from domain.report import FigureSpec
from domain.report_checks import ReportWarning, form_warnings, kept_warnings
from domain.report_figures import (
    FigureValue,
    PeriodAnswers,
    ValueKind,
    figure_units,
    read_figure,
    read_figures,
)
from domain.units import Unit
from domain.validation import related_fields
from handlers.display import show_value

# Units per page of the table: a page of 5,000 units × 40 figures would be megabytes of
# HTML; totals and warnings are always over every unit.
PAGE_ROWS = 100


@dataclass(frozen=True, slots=True)
class Row:
    """A unit's line: its figures as shown, and which of them a warning is about."""

    code: str
    name: str
    answered: bool
    cells: tuple[str, ...]
    warned: Mapping[int, str]  # the cells a warning is about: index -> its words


@dataclass(frozen=True, slots=True)
class Total:
    """A column's total as the draft computes it, and how many units it still lacks."""

    value: str
    missing: int


@dataclass(frozen=True, slots=True)
class Flag:
    """A warning listed under the table, in the draft's words."""

    unit: str
    field: str
    text: str
    explanation: str


@dataclass(frozen=True, slots=True)
class Point:
    """A period of the trend: its total as shown ("" if no unit answered), units lacking."""

    label: str
    value: str
    missing: int


@dataclass(frozen=True, slots=True)
class Trend:
    """A figure's last 12 periods: the chart, or None below MIN_POINTS known periods."""

    field: Field
    points: tuple[Point, ...]
    known: int
    chart: TrendChart | None


def table_fields(form: Form) -> list[Field]:
    """The figures a form's table shows: its numeric fields, as the draft's appendix."""
    return [f for f in form.fields if f.type.is_numeric]


def owing_units(
    dashboard: Dashboard, form: Form, period: Period, units: Sequence[Unit] | None = None
) -> list[Unit]:
    """The units (of `units`, all by default) owing `form` for `period`, in force at its
    cut-off, in configured order."""
    cutoff = period_window(period, dashboard.catalog.regime)[1]
    every = FigureSpec("", form.code, "")
    return figure_units(every, dashboard.catalog.unit_list() if units is None else units, cutoff)


def total_of(
    form: Form, field: Field, answers: PeriodAnswers, units: Sequence[Unit]
) -> FigureValue:
    """A column's total: the draft's figure of `field` over `units` (`read_figures` gives
    a whole row of them in one pass)."""
    return read_figure(FigureSpec(field.key, form.code, field.key), form, answers, units)


def shown_total(figure: FigureValue) -> str:
    """A total as the page writes it: a number, a percentage, or a range of percentages."""
    value = figure.value
    if not isinstance(value, Decimal):
        return ""
    if figure.kind is not ValueKind.PERCENT:
        return format_number(value)
    high = format_number(value, figure.places) + "%"
    if figure.low is None:
        return high
    return f"{format_number(figure.low, figure.places)}% – {high}"


def _rows(
    form: Form,
    fields: Sequence[Field],
    units: Sequence[Unit],
    answers: PeriodAnswers,
    warned: Mapping[str, dict[int, str]],
) -> list[Row]:
    """The lines of `units` (a page of them), each value as the chat shows it."""
    rows = []
    for unit in units:
        given = answers.unit_values(form.code, unit.code)
        cells = [given.get(field.key) for field in fields]
        shown = tuple(
            "" if value is None else show_value(field, value, with_measure=False)
            for field, value in zip(fields, cells, strict=True)
        )
        marks = warned.get(unit.code, {})
        rows.append(Row(unit.code, unit.name, bool(given), shown, marks))
    return rows


def _warnings(
    form: Form, units: Sequence[Unit], current: PeriodAnswers, previous: PeriodAnswers
) -> list[ReportWarning]:
    """The draft's checks of each unit's answers: parts, stocks, bounds, kept values."""
    forms = {form.code: form}
    found = form_warnings(forms, units, current, previous)
    return found + kept_warnings(forms, units, current, previous, found)


async def _answers(
    dashboard: Dashboard, form: Form, fields: Sequence[Field], period: Period
) -> tuple[PeriodAnswers, PeriodAnswers]:
    """The period's answers with their explanations, and the previous period's values of
    the fields the checks compare with it (stocks, and the values explained this period)."""
    forms = {form.code: form}
    keys = {form.code: {f.key for f in fields}}
    read = await read_fields_over(dashboard.db, forms, keys, [period], explained=period)
    current = read[period]
    looked_back = set(related_fields(form))
    looked_back.update(key for _, _, key in (current.explanations or {}))
    before = period.previous()
    if not looked_back:  # nothing compares with last period: not read at all
        return current, PeriodAnswers(before, {})
    previous = await read_fields_over(dashboard.db, forms, {form.code: looked_back}, [before])
    return current, previous[before]


async def _trend(dashboard: Dashboard, form: Form, field: Field, period: Period) -> Trend:
    """The totals of `field` over the 12 periods ending with `period`."""
    periods = chart_periods(period)
    history = await read_field_over(dashboard.db, form, field.key, periods)
    points, values = [], []
    everyone = dashboard.catalog.unit_list()
    for each in periods:
        owing = owing_units(dashboard, form, each, everyone)
        figure = total_of(form, field, history[each], owing)
        number = figure.value if isinstance(figure.value, Decimal) and figure.low is None else None
        points.append(Point(each.label, shown_total(figure), len(figure.missing)))
        values.append((each.label, number, len(figure.missing)))
    known = sum(1 for _, number, _ in values if number is not None)
    chart = trend_chart(values) if known >= MIN_POINTS else None
    return Trend(field, tuple(points), known, chart)


async def _none() -> None:
    return None


async def figures_of(
    dashboard: Dashboard,
    form: Form,
    period: Period,
    chosen: str,
    shown_page: int = 1,
    csrf: str = "",
) -> web.Response:
    """The figures page of `form` for `period`: totals and warnings over every unit, the
    rows of the units of page `shown_page`; the trend of the field `chosen`, if any."""
    fields = table_fields(form)
    units = owing_units(dashboard, form, period)
    picked = next((f for f in fields if f.key == chosen), None)
    # The trend's read runs on the other reader connection meanwhile: its SQLite work
    # overlaps the decoding of the period's answers.
    (current, previous), trend = await asyncio.gather(
        _answers(dashboard, form, fields, period),
        _trend(dashboard, form, picked, period) if picked else _none(),
    )
    column = {f.key: index for index, f in enumerate(fields)}
    warnings = _warnings(form, units, current, previous)
    names = {u.code: u.name for u in units}
    warned: dict[str, dict[int, str]] = {}
    flags = []
    for w in warnings:
        words = warning_text(w)
        flags.append(Flag(names.get(w.unit_code, w.unit_code), w.label, words, w.explanation or ""))
        if w.field_key in column:
            cells = warned.setdefault(w.unit_code, {})
            index = column[w.field_key]
            cells[index] = f"{cells[index]} {words}" if index in cells else words
    specs = [FigureSpec(f.key, form.code, f.key) for f in fields]
    totals = [
        Total(shown_total(figure), len(figure.missing))
        for figure in read_figures(form, specs, current, units)
    ]
    pages = max(1, -(-len(units) // PAGE_ROWS))
    shown_page = min(max(shown_page, 1), pages)
    start = (shown_page - 1) * PAGE_ROWS
    rows = _rows(form, fields, units[start : start + PAGE_ROWS], current, warned)
    answers = current.values.get(form.code, {})
    return page(
        "figures",
        form=form,
        period=period,
        fields=fields,
        rows=rows,
        totals=totals,
        units=len(units),
        answered=sum(1 for u in units if answers.get(u.code)),
        shown_page=shown_page,
        pages=pages,
        first=start + 1,
        csrf=csrf,  # the logout form of every page
        flags=flags,
        trend=trend,
        chosen=chosen,
    )


async def figures_page(request: web.Request) -> web.Response:
    """GET /web/forms/FORM?period=YYYY-MM[&field=KEY]: the form's figures of the period."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    period = chosen_period(request.query, dashboard.catalog, dashboard.clock())
    form = dashboard.catalog.forms.get(request.match_info["form_id"])
    if form is None:
        forms = _forms_list(dashboard)
        return page("figures_not_found", status=404, period=period, forms=forms, csrf=session.csrf)
    chosen = request.query.get("field", "")
    number = asked_page(request.query)
    return await figures_of(dashboard, form, period, chosen, number, session.csrf)


async def forms_page(request: web.Request) -> web.Response:
    """GET /web/forms[?period=YYYY-MM]: every form, a link to its figures of the period."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    period = chosen_period(request.query, dashboard.catalog, dashboard.clock())
    return page("forms", period=period, forms=_forms_list(dashboard), csrf=session.csrf)


def _forms_list(dashboard: Dashboard) -> list[tuple[str, str, int]]:
    """(code, title, units owing it) of every configured form."""
    units = dashboard.catalog.unit_list()
    return [
        (code, form.title, sum(1 for u in units if u.owes(code)))
        for code, form in dashboard.catalog.forms.items()
    ]
