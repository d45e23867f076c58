"""The hotline figures of a draft from the imported ticket lists (and the units' answers about
them in chat), for `compile_draft(tickets=...)` from /tonghop and `baocao report` alike."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from bot.workspace.load import Workspace
from bot.workspace.report_spec import ReportSpecError, spec_for
from domain.calendar import period_window
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_figures import PeriodAnswers
from domain.report_periods import ReportPeriod, period_kind
from domain.report_tickets import TicketSummary, summary_from_figures, summary_from_forms
from domain.ticket_figures import TicketFigures, compute_figures, period_cut
from domain.tickets import CHANNELS, OTHER_CHANNEL, Ticket, channel_key
from domain.values import TypedValue, decoder
from storage import Database, ReadView
from templates.catalog import text


def channel_labels(spec: ReportSpec | None) -> dict[str, str]:
    """Channel key -> label, in the report's order: the labels report.toml gives the forms'
    channel counts where they name a channel ("Qua tổng đài 1022" is the hotline), else the
    catalog's names of every channel."""
    named: dict[str, str] = {}
    if spec is not None and spec.tickets is not None:
        for _, label in spec.tickets.channels:
            key = channel_key(label)
            if key != OTHER_CHANNEL:
                named.setdefault(key, label)
    if named:
        return named
    return {key: text(f"tickets.channel.{key}") for key in CHANNELS}


@dataclass(frozen=True, slots=True)
class PeriodTickets:
    """The tickets a period's figures count, and the day they judge overdue on."""

    tickets: list[Ticket]
    as_of: date


async def period_tickets(
    view: ReadView, workspace: Workspace, period: Period, now: datetime
) -> PeriodTickets:
    """The tickets received up to the period's last day as the period's figures count them:
    as they stand now while units answer the period (locked or not); once it closed (the
    next period opened), as they stood then (`domain.calendar.tickets_stood_at`)."""
    cut = period_cut(period, now, workspace.settings.regime)
    tickets = await view.tickets.received_until(cut.last_day, cut.stood_at)
    return PeriodTickets(tickets, cut.as_of)


async def imported_tickets(
    db: Database, workspace: Workspace, period: Period, now: datetime
) -> PeriodTickets:
    """`period_tickets` in a read snapshot of its own (none: the forms give the figures)."""
    async with db.read() as view:
        return await period_tickets(view, workspace, period, now)


def campaign_start(workspace: Workspace, spec: ReportSpec | None) -> date | None:
    """The day "received since the campaign began" counts from: the config's
    `[tickets] campaign_start`, else report.toml's `since`; None: since the first ticket."""
    start = workspace.settings.tickets.campaign_start
    if start is None and spec is not None and spec.tickets is not None:
        start = spec.tickets.since
    return start


def period_figures(
    counted: PeriodTickets, workspace: Workspace, period: Period, campaign_start: date | None
) -> TicketFigures:
    """The hotline figures of `period_tickets`."""
    window = period_window(period, workspace.settings.regime)
    return compute_figures(counted.tickets, workspace.units, window, counted.as_of, campaign_start)


async def imported_summary(
    db: Database,
    workspace: Workspace,
    period: Period,
    now: datetime,
    spec: ReportSpec | None = None,
) -> TicketSummary | None:
    """The hotline block's figures from imported tickets; None when none was received up to
    the period's end (or, for a closed period, imported by its close), so that the hotline
    unit's form gives them instead, as it did in the period's report."""
    counted = await imported_tickets(db, workspace, period, now)
    if not counted.tickets:
        return None
    # Counting 100,000 tickets takes about half a second of CPU: in a worker thread, so the
    # event loop is not held for all of it.
    start = campaign_start(workspace, spec)
    figures = await asyncio.to_thread(period_figures, counted, workspace, period, start)
    return summary_from_figures(figures, channel_labels(spec))


async def hotline_summary(
    db: Database,
    workspace: Workspace,
    period: Period,
    now: datetime,
    spec: ReportSpec | None = None,
) -> TicketSummary | None:
    """The one source of the period's hotline figures, for the draft and the export alike:
    the imported tickets, or when there are none the hotline unit's counts form; None when
    the report has no hotline block."""
    imported = await imported_summary(db, workspace, period, now, spec)
    if imported is not None or spec is None or spec.tickets is None:
        return imported
    if isinstance(period, ReportPeriod):
        return None  # a longer period's draft adds the months' counts up itself
    cutoff = period_window(period, workspace.settings.regime)[1]
    async with db.read() as view:
        values: dict[str, dict[str, dict[str, TypedValue]]] = {}
        forms = {spec.tickets.form, spec.tickets.overdue_form} - {""}
        async for chunk in view.answers.period_values(period, sorted(forms), explanations=False):
            for form_code, unit_code, given, _ in chunk:
                form = workspace.forms[form_code]
                values.setdefault(form_code, {})[unit_code] = {
                    key: decoder(form.field(key))(raw)
                    for key, raw in given.items()
                    if raw is not None and form.has_field(key)
                }
    answers = PeriodAnswers(period, values)
    return summary_from_forms(spec.tickets, answers, workspace.units, cutoff)


async def draft_inputs(
    db: Database, workspace: Workspace, period: Period, now: datetime
) -> tuple[ReportSpec, TicketSummary | None]:
    """The report declaration and the hotline figures (`hotline_summary`) to compile a
    draft with (ReportSpecError if report.toml is wrong)."""
    folder, kind = workspace.settings.source.parent, period_kind(period)
    spec = spec_for(folder, workspace.forms, workspace.units, kind)
    return spec, await hotline_summary(db, workspace, period, now, spec)


async def export_inputs(
    db: Database, workspace: Workspace, period: Period, now: datetime
) -> tuple[list[Ticket], TicketSummary | None, ReportSpec | None]:
    """The imported tickets and the hotline figures the export lists: the same figures the
    draft prints; and the report declaration, read once for the export's charts too (no
    figures and no declaration when report.toml is wrong: the export does not depend on
    it)."""
    counted = await imported_tickets(db, workspace, period, now)
    try:
        spec = spec_for(workspace.settings.source.parent, workspace.forms, workspace.units)
    except ReportSpecError:
        return counted.tickets, None, None
    return counted.tickets, await hotline_summary(db, workspace, period, now, spec), spec
