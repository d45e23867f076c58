"""Drafts of longer periods (a quarter, six or nine months, the year) from monthly answers.

The months are read from one snapshot and added up field by field as the forms declare
(`domain.aggregation`); the previous period of the same kind and the same period of the year
before are added up the same way, for changes, stock checks and comparisons. Then the draft
is composed exactly as a monthly one is: the same declaration, the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.report.compose import ReportInputs, compose
from bot.report.gather import Standing, read_standings, stream_months, year_to_date_months
from bot.report.model import Document
from bot.workspace.load import Workspace
from domain.aggregation import MonthFold
from domain.calendar import period_window
from domain.forms import Form
from domain.obligations import forms_owed
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_figures import PeriodAnswers
from domain.report_periods import ReportPeriod
from domain.report_tickets import TicketSummary, summary_from_forms
from domain.units import Unit
from domain.values import TypedValue, form_decoder
from storage import Database


@dataclass(frozen=True, slots=True)
class SpanHistory:
    """What a longer period's draft reads: added-up answers by period (the period, the one
    before, the same one a year before; single months for year-to-date figures), the
    months each unit left unanswered, and where each unit stands."""

    history: dict[Period, PeriodAnswers]
    missing_months: Mapping[str, tuple[Period, ...]]
    standing: Standing


def spans_needed(period: ReportPeriod) -> list[ReportPeriod]:
    """The period, the previous one of its kind and the same one a year before."""
    return list(dict.fromkeys((period, period.previous(), period.same_last_year())))


def months_needed(spec: ReportSpec, period: ReportPeriod) -> list[Period]:
    """Every month the spans cover, and January on for year-to-date figures."""
    wanted = {month for span in spans_needed(period) for month in span.months}
    return sorted(wanted | year_to_date_months(spec, period))


def owing(units: Sequence[Unit], span: ReportPeriod, workspace: Workspace) -> dict[str, set[str]]:
    """Form code -> the units that owe it in any month of the span."""
    regime = workspace.settings.regime
    out: dict[str, set[str]] = {}
    for month in span.months:
        cutoff = period_window(month, regime)[1]
        for unit, code in forms_owed(units, month, cutoff, workspace.forms):
            out.setdefault(code, set()).add(unit)
    return out


def merge_standing(
    per_month: Sequence[tuple[Period, Standing]], forms: Mapping[str, Form]
) -> Standing:
    """Where units stand over several months: a unit still owing a form in any month is
    pending (the form named with those months); late is its latest late hand-in."""
    open_months: dict[str, dict[str, list[Period]]] = {}
    merged = Standing()
    seen: dict[str, None] = {}
    for month, standing in per_month:
        for unit, owed in standing.pending.items():
            for code in owed:
                open_months.setdefault(unit, {}).setdefault(code, []).append(month)
        for unit, at in standing.late.items():
            merged.late[unit] = max(at, merged.late.get(unit, at))
        seen.update(dict.fromkeys(standing.reported))
    merged.reported = [unit for unit in seen if unit not in open_months]
    for unit, by_form in open_months.items():
        merged.pending[unit] = [
            f"{forms[code].title if code in forms else code} ({', '.join(m.label for m in months)})"
            for code, months in by_form.items()
        ]
        merged.late.pop(unit, None)
    return merged


async def read_span(
    db: Database, workspace: Workspace, spec: ReportSpec, period: ReportPeriod
) -> SpanHistory:
    """Everything a longer period's draft needs from the database, from one snapshot; the
    months are added up as they stream (only year-to-date months are kept whole)."""
    forms, units, regime = workspace.forms, workspace.units, workspace.settings.regime
    spans = spans_needed(period)
    folds = {
        span: MonthFold(span, forms, owing(units, span, workspace), span.months) for span in spans
    }
    kept: dict[Period, dict[str, dict[str, dict[str, TypedValue]]]] = {
        m: {} for m in year_to_date_months(spec, period)
    }
    decoders = {code: form_decoder(form) for code, form in forms.items()}
    months = months_needed(spec, period)
    # The folds each month goes into (a year's months are none of the year before's).
    into = {m: [folds[span].add_stored for span in spans if m in span.months] for m in months}
    async with db.read() as view:
        async for month, answered in stream_months(view, forms, months):
            for form, unit, stored in answered:
                for add in into[month]:
                    add(month, form, unit, stored)
                if month in kept:
                    kept[month].setdefault(form, {})[unit] = decoders[form](stored)
        standings = await read_standings(view, units, regime, period.months, forms)
    history: dict[Period, PeriodAnswers] = {m: PeriodAnswers(m, v) for m, v in kept.items()}
    added = {span: folds[span].result() for span in spans}
    history.update({span: result.answers for span, result in added.items()})
    return SpanHistory(history, added[period].missing_months, merge_standing(standings, forms))


async def build_span_document(
    db: Database,
    workspace: Workspace,
    period: ReportPeriod,
    now: datetime,
    spec: ReportSpec,
    tickets: TicketSummary | None = None,
) -> Document:
    """The draft Document of a longer period (nothing is stored)."""
    read = await read_span(db, workspace, spec, period)
    if tickets is None and spec.tickets is not None:
        cutoff = period_window(period, workspace.settings.regime)[1]
        tickets = summary_from_forms(spec.tickets, read.history[period], workspace.units, cutoff)
    inputs = ReportInputs(
        settings=workspace.settings,
        units=workspace.units,
        forms=workspace.forms,
        spec=spec,
        period=period,
        now=now,
        history=read.history,
        reported=read.standing.reported,
        late=read.standing.late,
        pending=read.standing.pending,
        tickets=tickets,
        missing_months=read.missing_months,
    )
    return compose(inputs)
