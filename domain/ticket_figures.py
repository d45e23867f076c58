"""Figures about many tickets: the units holding overdue ones, those that have not answered
about theirs, and the counts the report's hotline section shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.calendar import overdue_as_of, period_window, tickets_stood_at
from domain.periods import Period, ReportingRegime
from domain.tickets import CHANNELS, OTHER_CHANNEL, Ticket, TicketStatus
from domain.units import Unit


@dataclass(frozen=True, slots=True)
class UnitOverdue:
    """A unit holding overdue tickets, and how many."""

    unit_code: str
    unit_name: str
    count: int


# ---------------------------------------------------------------- who holds overdue tickets


def _unit_order(units: Sequence[Unit]) -> tuple[dict[str, int], dict[str, str]]:
    ordered = sorted(units, key=lambda u: (u.order, u.code))
    return {u.code: i for i, u in enumerate(ordered)}, {u.code: u.name for u in units}


def overdue_by_unit(
    tickets: Iterable[Ticket], units: Sequence[Unit], today: date
) -> tuple[tuple[UnitOverdue, ...], int]:
    """Units holding overdue tickets with their counts, in the units' configured order
    (units no longer configured last, by code), and the overdue tickets with no unit.
    """
    counts = Counter(t.unit_code for t in tickets if t.is_overdue(today))
    return ranked_overdue(counts, units)


def ranked_overdue(
    counts: Mapping[str | None, int], units: Sequence[Unit]
) -> tuple[tuple[UnitOverdue, ...], int]:
    """`overdue_by_unit` from the overdue tickets counted by unit code (None: no unit)."""
    position, names = _unit_order(units)
    held = [c for c, n in counts.items() if c is not None and n]
    codes = sorted(held, key=lambda c: (position.get(c, len(position)), c))
    return tuple(UnitOverdue(c, names.get(c, c), counts[c]) for c in codes), counts.get(None, 0)


@dataclass(frozen=True, slots=True)
class PendingUnit:
    """A unit that has not answered about some of its overdue tickets."""

    unit_code: str
    unit_name: str
    overdue: int  # all its overdue tickets
    unanswered: tuple[str, ...]  # ids of those it has not answered about


def pending_units(
    tickets: Iterable[Ticket], units: Sequence[Unit], today: date, since: datetime | None = None
) -> tuple[PendingUnit, ...]:
    """Units with overdue tickets they have not answered about (at all, or since `since`,
    e.g. since they were last asked), in the units' configured order.
    """
    overdue: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        if ticket.unit_code is not None and ticket.is_overdue(today):
            overdue.setdefault(ticket.unit_code, []).append(ticket)
    position, names = _unit_order(units)
    result = []
    for code in sorted(overdue, key=lambda c: (position.get(c, len(position)), c)):
        held = sorted(overdue[code], key=lambda t: (t.due_on or today, t.id))
        unanswered = tuple(t.id for t in held if not t.answered_since(since))
        if unanswered:
            result.append(PendingUnit(code, names.get(code, code), len(held), unanswered))
    return tuple(result)


# ---------------------------------------------------------------- figures for the report


@dataclass(frozen=True, slots=True)
class PeriodCut:
    """Which tickets a period's figures take, and the day they judge overdue on: those
    received by `last_day`, as they stood at `stood_at` (None: as they stand now)."""

    last_day: date
    stood_at: datetime | None
    as_of: date


def period_cut(period: Period, now: datetime, regime: ReportingRegime) -> PeriodCut:
    """The cut of `period`'s tickets at `now`: as they stand while units answer it, as they
    stood when it closed once closed (`domain.calendar.tickets_stood_at`)."""
    return PeriodCut(
        period_window(period, regime)[1],
        tickets_stood_at(period, now, regime),
        overdue_as_of(period, now, regime),
    )


def since_campaign(
    tickets: Iterable[Ticket], end: date, campaign_start: date | None
) -> list[Ticket]:
    """The tickets the cumulative figures count: received by `end`, and from
    `campaign_start` on (None: since the first ticket)."""
    return [
        t
        for t in tickets
        if t.received_on <= end and (campaign_start is None or t.received_on >= campaign_start)
    ]


@dataclass(frozen=True, slots=True)
class TicketCounts:
    """Tickets received in a span of days, by where they stand now.

    handled + in_progress == received; overdue counts the in-progress ones past due.
    """

    received: int
    handled: int
    in_progress: int
    overdue: int
    # Every key of CHANNELS and OTHER_CHANNEL, zeros included.
    by_channel: dict[str, int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """The hotline section of the report: the period's tickets, those since the campaign
    started (up to the period's last day), and the units holding overdue tickets.
    """

    period_start: date
    period_end: date
    as_of: date  # the day overdue is judged on
    campaign_start: date | None  # None: since the first ticket imported
    period: TicketCounts
    cumulative: TicketCounts
    overdue_units: tuple[UnitOverdue, ...]  # of the cumulative tickets, in units' order
    unassigned_overdue: int  # overdue tickets not assigned to a unit yet


def count_tickets(tickets: Iterable[Ticket], today: date) -> TicketCounts:
    """Counts of these tickets by status, overdue (as of `today`) and channel."""
    received = handled = overdue = 0
    channels: Counter[str] = Counter()
    for ticket in tickets:
        received += 1
        handled += ticket.status is TicketStatus.HANDLED
        overdue += ticket.is_overdue(today)
        channels[ticket.channel_key] += 1
    by_channel = {key: channels[key] for key in (*CHANNELS, OTHER_CHANNEL)}
    return TicketCounts(
        received=received,
        handled=handled,
        in_progress=received - handled,
        overdue=overdue,
        by_channel=by_channel,
    )


def compute_figures(
    tickets: Iterable[Ticket],
    units: Sequence[Unit],
    window: tuple[date, date],
    today: date,
    campaign_start: date | None = None,
) -> TicketFigures:
    """The report's figures for a period window (first and last day, inclusive)."""
    start, end = window
    cumulative = since_campaign(tickets, end, campaign_start)
    in_period = [t for t in cumulative if t.received_on >= start]
    units_overdue, unassigned = overdue_by_unit(cumulative, units, today)
    return TicketFigures(
        period_start=start,
        period_end=end,
        as_of=today,
        campaign_start=campaign_start,
        period=count_tickets(in_period, today),
        cumulative=count_tickets(cumulative, today),
        overdue_units=units_overdue,
        unassigned_overdue=unassigned,
    )
