"""The trend charts of the draft's appendix and the export's sheet «Biểu đồ»: for each
figure report.toml marks `chart = true`, a small line chart of its last 12 periods, drawn by
matplotlib (Agg, no display) to a PNG in memory. A figure with fewer than 3 periods of data
gets no chart: two points are no trend."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.report.gather import read_fields_seeking
from bot.report.model import Chart
from bot.workspace.load import Workspace
from domain.calendar import period_window
from domain.forms import Form
from domain.numbers import format_number
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_figures import FigureBook, FigureValue, PeriodAnswers, ValueKind
from domain.units import Unit
from storage import Database
from templates.catalog import text

PERIODS = 12  # a chart's span: the period and the 11 before it
MIN_POINTS = 3
WIDTH_IN, HEIGHT_IN, DPI = 6.0, 2.6, 150
# How wide the draft and the export place a chart: three charts and their titles fill a page.
CHART_WIDTH_CM = 15.0


def chart_periods(period: Period) -> list[Period]:
    """The periods a chart spans, oldest first, ending with `period`."""
    periods = [period]
    while len(periods) < PERIODS:
        periods.append(periods[-1].previous())
    return periods[::-1]


def charted_fields(spec: ReportSpec) -> dict[str, set[str]]:
    """The fields the charted figures read, form by form (all the chart history needs)."""
    found: dict[str, set[str]] = {}
    for figure in spec.figures.values():
        if figure.chart:
            found.setdefault(figure.form, set()).add(figure.field)
    return found


def charts(
    spec: ReportSpec,
    forms: Mapping[str, Form],
    units: Sequence[Unit],
    history: Mapping[Period, PeriodAnswers],
    cutoff: Callable[[Period], date],
) -> list[Chart]:
    """A chart per charted figure with data in at least MIN_POINTS of the periods of
    `history` (oldest first); none when report.toml turns charts off. A period some units
    left unanswered is drawn as a hollow point, the total of the units that did answer,
    and the chart's note names those periods: an office with one unit always late still
    sees its trend, and never takes a partial total for the whole."""
    if not spec.charts:
        return []
    # The charted figures only: the book reads a form's figures together, and the history
    # holds the charted fields alone (the others would all come out missing, for nothing).
    charted = {name: figure for name, figure in spec.figures.items() if figure.chart}
    book = FigureBook(replace(spec, figures=charted, derived={}), forms, units, history, cutoff)
    periods = sorted(history)
    found = []
    for figure in charted.values():
        points = [_point(p, book.get(figure.name, p)) for p in periods]
        given = [(p, v, whole) for p, v, whole in points if v is not None]
        if len(given) < MIN_POINTS:
            continue
        field = forms[figure.form].field(figure.field)
        measure = field.measure
        label = figure.label or field.title
        title = text("report.charts.chart_title", label=label, measure=measure)
        title = title[:1].upper() + title[1:]
        partial = [p.label for p, _, whole in given if not whole]
        note = text("report.charts.partial_note", periods=partial) if partial else ""
        found.append(Chart(title, render_png(title, given, measure), note))
    return found


def _point(period: Period, figure: FigureValue) -> tuple[Period, Decimal | None, bool]:
    """(period, value, whether every unit answered): a sum some units left out gives the
    total of the others; anything else incomplete (a percentage of the units that answered,
    a range, a text) gives no point: the note would call it a total."""
    if figure.number is not None:
        return period, figure.number, True
    summed = figure.kind is ValueKind.NUMBER and figure.missing and figure.low is None
    value = figure.value if summed and isinstance(figure.value, Decimal) else None
    return period, value, False


async def read_charts(
    db: Database,
    workspace: Workspace,
    period: Period,
    spec: ReportSpec,
    known: Mapping[Period, PeriodAnswers] | None = None,
) -> list[Chart]:
    """The charts of `period`'s key figures, for the draft and the export alike: the
    charted fields of the 12 periods read (but those `known`: answers already read, in the
    caller's own snapshot), then drawn in a worker thread (matplotlib is CPU work)."""
    fields = charted_fields(spec)
    if not spec.charts or not fields:
        return []
    known = known or {}
    earlier = [p for p in chart_periods(period) if p not in known]
    over = {**await read_fields_seeking(db, workspace.forms, fields, earlier), **known}
    regime = workspace.settings.regime
    return await asyncio.to_thread(
        charts,
        spec,
        workspace.forms,
        workspace.units,
        over,
        lambda p: period_window(p, regime)[1],
    )


def _vn(value: float, _position: object = None) -> str:
    # Axis ticks as the report writes numbers: 1.500, 2,5 (ticks are numpy floats).
    return format_number(Decimal(str(round(float(value), 6))))


def render_png(title: str, points: Sequence[tuple[Period, Decimal, bool]], measure: str) -> bytes:
    """One line chart as PNG bytes: periods as «02/2022» along x, Vietnamese numbers on y;
    a point whose flag is False (not every unit answered) hollow."""
    # Imported here: matplotlib takes 0.4 s to import, which every command importing the
    # report package would pay. Figure() with Agg rather than pyplot: no display is needed
    # and nothing global is kept between drafts or threads.
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    axes = fig.add_subplot()
    labels = [p.label for p, _, _ in points]
    values = [float(v) for _, v, _ in points]
    (line,) = axes.plot(labels, values, marker="o", linewidth=1.5)
    hollow = [
        (x, y) for x, y, (_, _, whole) in zip(labels, values, points, strict=True) if not whole
    ]
    if hollow:
        xs, ys = zip(*hollow, strict=True)
        color = line.get_color()
        axes.plot(xs, ys, linestyle="none", marker="o", markerfacecolor="white", color=color)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel(text("report.charts.x_label"), fontsize=8)
    axes.set_ylabel(text("report.charts.y_label", measure=measure), fontsize=8)
    axes.yaxis.set_major_formatter(FuncFormatter(_vn))
    axes.tick_params(labelsize=7)
    axes.tick_params(axis="x", labelrotation=45)
    axes.grid(alpha=0.3)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")  # drawn by Agg, matplotlib's backend for PNG files
    return out.getvalue()
