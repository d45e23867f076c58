"""The tickets page: a period's overdue citizen-feedback tickets by unit, each with the unit's
latest answer about it, the units that have not answered, and the tickets given to no unit
yet with the import's suggestion.

The tickets and the day overdue is judged on are the draft's (`domain.ticket_figures`:
`period_cut`, `since_campaign`, ranked as `overdue_by_unit` ranks them), so the counts
here are the draft's hotline lines; "not answered" is /trangthai's (`Ticket.answered_since`
the period opened, as `pending_units` asks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from aiohttp import web

from bot.web.auth import signed_in
from bot.web.dashboard import Dashboard, dashboard_of
from bot.web.overview import chosen_period, time_shown
from bot.web.render import page
from domain.calendar import local_day
from domain.periods import Period
from domain.report_tickets import TicketSummary
from domain.ticket_figures import period_cut, ranked_overdue, since_campaign
from domain.tickets import Ticket, clean_text
from handlers.context import Catalog

# A unit holding thousands of overdue tickets is listed in part, and so is a province's
# whole list: the page stays quick to render and to read; the counts say how many more.
LISTED_PER_UNIT = 100
LISTED_IN_ALL = 2000
LISTED_UNASSIGNED = 200
SUMMARY_SHOWN = 300


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket as the page shows it, with the unit's latest answer about it, if any."""

    id: str
    received_on: date
    due_on: date | None
    days_overdue: int
    summary: str
    answered: bool  # since the period opened (the unit has said where it stands)
    expected_on: date | None
    reason: str
    answered_at: str
    answered_by: str


@dataclass(frozen=True, slots=True)
class UnitTickets:
    """A unit holding overdue tickets: the count (the draft's), those not answered, a list."""

    code: str
    name: str
    count: int
    unanswered: int
    tickets: tuple[TicketRow, ...]


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A ticket given to no unit yet, with the unit the import suggests."""

    id: str
    received_on: date
    due_on: date | None
    overdue: bool
    unit_text: str
    suggestion_code: str
    suggestion_name: str


@dataclass(frozen=True, slots=True)
class TicketsView:
    """Everything the tickets page shows for one period."""

    period: Period
    as_of: date
    stood_at: str  # when the period closed, if it has: the tickets as they stood then
    units: tuple[UnitTickets, ...]
    overdue_total: int
    overdue_unassigned: int
    unassigned: tuple[Unassigned, ...]
    unassigned_total: int
    # No ticket imported up to the period's end: the draft's figures from the units'
    # counts forms, so the page never says 0 where the draft says 105.
    from_forms: TicketSummary | None = None


def _row(
    ticket: Ticket, as_of: date, since: datetime | None, catalog: Catalog, names: Mapping[str, str]
) -> TicketRow:
    answered_at = time_shown(ticket.reported_at, catalog.zone)
    who = ticket.reported_by or ""
    return TicketRow(
        ticket.id,
        ticket.received_on,
        ticket.due_on,
        ticket.days_overdue(as_of),
        clean_text(ticket.summary, SUMMARY_SHOWN),
        ticket.answered_since(since),
        ticket.expected_on,
        ticket.reason or "",
        answered_at,
        names.get(who, who),
    )


def unassigned_rows(
    unmatched: Sequence[Ticket], catalog: Catalog, today: date
) -> tuple[Unassigned, ...]:
    """The tickets with no unit as listed (oldest first), with the import's suggestion."""
    rows = []
    for ticket in unmatched[:LISTED_UNASSIGNED]:
        suggested = catalog.units.get(ticket.suggestion or "")
        rows.append(
            Unassigned(
                ticket.id,
                ticket.received_on,
                ticket.due_on,
                ticket.is_overdue(today),
                ticket.unit_text,
                suggested.code if suggested else "",
                suggested.name if suggested else "",
            )
        )
    return tuple(rows)


def units_holding(
    counted: Sequence[Ticket],
    catalog: Catalog,
    as_of: date,
    since: datetime | None,
    names: Mapping[str, str],
) -> tuple[tuple[UnitTickets, ...], int]:
    """Units holding overdue tickets among `counted`, in the units' order, with their lists
    (longest overdue first) and how many of them the unit has not answered about; and the
    overdue tickets given to no unit. The tickets are grouped once: a province has 100,000."""
    held: dict[str | None, list[Ticket]] = {}
    for ticket in counted:
        if ticket.is_overdue(as_of):
            held.setdefault(ticket.unit_code, []).append(ticket)
    counts = {code: len(tickets) for code, tickets in held.items()}
    ranked, unassigned = ranked_overdue(counts, catalog.unit_list())
    result, room = [], LISTED_IN_ALL
    for unit in ranked:
        tickets = sorted(held[unit.unit_code], key=lambda t: (t.due_on or as_of, t.id))
        unanswered = sum(not t.answered_since(since) for t in tickets)
        listed = tickets[: min(LISTED_PER_UNIT, room)]
        room -= len(listed)
        rows = tuple(_row(t, as_of, since, catalog, names) for t in listed)
        result.append(UnitTickets(unit.unit_code, unit.unit_name, unit.count, unanswered, rows))
    return tuple(result), unassigned


async def tickets_view(dashboard: Dashboard, period: Period) -> TicketsView:
    """The period's tickets as the draft counts them, and the unassigned ones now."""
    catalog, now = dashboard.catalog, dashboard.clock()
    cut = period_cut(period, now, catalog.regime)
    async with dashboard.db.read() as view:
        tickets = await view.tickets.received_until(cut.last_day, cut.stood_at)
        unmatched = await view.tickets.unmatched()
        record = await view.periods.get(period)
        everyone = await view.focal_points.current_by_unit()
    # Answers count from the period's opening (its prompt asked again), as in /trangthai.
    since = record.opened_at if record is not None else None
    names = {
        f"{p.channel}:{p.user_id}": p.display_name or p.user_id
        for ps in everyone.values()
        for p in ps
    }
    counted = since_campaign(tickets, cut.last_day, dashboard.ticket_start)
    units, overdue_unassigned = units_holding(counted, catalog, cut.as_of, since, names)
    stood_at = time_shown(cut.stood_at, catalog.zone)
    from_forms = None
    if not counted and dashboard.hotline is not None:
        from_forms = await dashboard.hotline(period, now)
    return TicketsView(
        period,
        cut.as_of,
        stood_at,
        units,
        sum(u.count for u in units) + overdue_unassigned,
        overdue_unassigned,
        # Given to a unit or not is today's matter, whichever period is shown.
        unassigned_rows(unmatched, catalog, local_day(now, catalog.regime.timezone)),
        len(unmatched),
        from_forms,
    )


async def tickets_page(request: web.Request) -> web.Response:
    """GET /web/tickets[?period=YYYY-MM]: overdue tickets by unit, unanswered, unassigned."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    period = chosen_period(request.query, dashboard.catalog, dashboard.clock())
    return await tickets_response(dashboard, period, session.csrf)


async def tickets_response(dashboard: Dashboard, period: Period, csrf: str) -> web.Response:
    """The tickets page of `period` for a signed-in session (its token: `csrf`)."""
    shown = await tickets_view(dashboard, period)
    return page(
        "tickets",
        view=shown,
        period=period,
        pending=[u for u in shown.units if u.unanswered],
        names={code: unit.name for code, unit in dashboard.catalog.units.items()},
        csrf=csrf,  # the logout form and the pages' links
    )
