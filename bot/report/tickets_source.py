"""The hotline figures of a draft from the imported ticket lists (and the units' answers about
them in chat), for `compile_draft(tickets=...)` from /tonghop and `baocao report` alike."""

from __future__ import annotations

from datetime import datetime

from bot.datafiles import Workspace
from bot.report.spec_file import spec_for
from bot.texts import text
from domain.calendar import overdue_as_of, period_window
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_tickets import TicketSummary, summary_from_figures
from domain.tickets import CHANNELS, OTHER_CHANNEL, Ticket, channel_key, compute_figures
from storage import Database


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


async def imported_tickets(db: Database, workspace: Workspace, period: Period) -> list[Ticket]:
    """The tickets received up to the period's last day (none: the forms give the figures)."""
    last_day = period_window(period, workspace.settings.regime)[1]
    async with db.read() as view:
        return await view.tickets.received_until(last_day)


async def imported_summary(
    db: Database,
    workspace: Workspace,
    period: Period,
    now: datetime,
    spec: ReportSpec | None = None,
) -> TicketSummary | None:
    """The hotline block's figures from imported tickets; None when none was imported up to
    the period's end, so that the hotline unit's form gives them instead."""
    tickets = await imported_tickets(db, workspace, period)
    if not tickets:
        return None
    settings = workspace.settings
    start = settings.tickets.campaign_start
    if start is None and spec is not None and spec.tickets is not None:
        start = spec.tickets.since
    window = period_window(period, settings.regime)
    as_of = overdue_as_of(period, now, settings.regime)
    figures = compute_figures(tickets, workspace.units, window, as_of, start)
    return summary_from_figures(figures, channel_labels(spec))


async def draft_inputs(
    db: Database, workspace: Workspace, period: Period, now: datetime
) -> tuple[ReportSpec, TicketSummary | None]:
    """The report declaration and the imported tickets' figures to compile a draft with
    (ReportSpecError if report.toml is wrong)."""
    spec = spec_for(workspace.settings.source.parent, workspace.forms, workspace.units)
    return spec, await imported_summary(db, workspace, period, now, spec)
