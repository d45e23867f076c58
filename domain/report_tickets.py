"""The citizen-feedback hotline block: tickets received, handled, in progress, overdue.

`TicketSummary` is the block's whole input, so that it can come from forms (the hotline
unit's counts and each unit's overdue tickets, as in the sample) or from imported ticket
lists alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.report import TicketRole, TicketSourceSpec
from domain.report_checks import ReportWarning, WarningKind
from domain.report_figures import PeriodAnswers
from domain.ticket_figures import TicketFigures
from domain.units import Unit


@dataclass(frozen=True, slots=True)
class ChannelCount:
    """Tickets received through one channel ("Qua tổng đài 1022")."""

    label: str
    count: int | None


@dataclass(frozen=True, slots=True)
class UnitCount:
    """Overdue tickets one unit holds."""

    unit_code: str
    count: int


@dataclass(frozen=True, slots=True)
class TicketSummary:
    """What the hotline block says. None means not known; `missing_units` are units whose
    counts are not known (the hotline unit for the totals, others for their overdue)."""

    received: int | None = None
    by_channel: tuple[ChannelCount, ...] = ()
    since: date | None = None
    until: date | None = None
    received_since_start: int | None = None
    handled: int | None = None
    in_progress: int | None = None
    overdue: int | None = None
    overdue_by_unit: tuple[UnitCount, ...] = ()
    missing_units: tuple[str, ...] = ()
    # Overdue tickets not given to any unit yet: a line of their own, never a unit's figure.
    overdue_unassigned: int = 0
    # False when nobody tells the overdue tickets unit by unit (a counts form alone).
    by_unit_known: bool = True

    def overdue_listed(self) -> int:
        """The overdue tickets the per-unit lines account for (the unassigned included)."""
        return sum(item.count for item in self.overdue_by_unit) + self.overdue_unassigned


def _count(value: object) -> int | None:
    return int(value) if isinstance(value, Decimal) else None


def summary_from_forms(
    source: TicketSourceSpec, answers: PeriodAnswers, units: Sequence[Unit], on: date
) -> TicketSummary:
    """The block's figures from the hotline unit's form and the units' overdue counts.

    Units holding no overdue ticket are left out; the list keeps the units' configured order.
    """
    given = answers.unit_values(source.form, source.unit)
    missing: list[str] = [] if given else [source.unit]

    def role(name: TicketRole) -> int | None:
        key = source.fields.get(name)
        return _count(given.get(key)) if key else None

    until = given.get(source.fields.get(TicketRole.UNTIL, ""))
    overdue: list[UnitCount] = []
    if source.overdue_form:
        for unit in units:
            if not unit.owes(source.overdue_form) or not unit.in_force(on):
                continue
            count = _count(
                answers.unit_values(source.overdue_form, unit.code).get(source.overdue_field)
            )
            if count is None:
                missing.append(unit.code)
            elif count > 0:
                overdue.append(UnitCount(unit.code, count))
    return TicketSummary(
        received=role(TicketRole.RECEIVED),
        by_channel=tuple(
            ChannelCount(label, _count(given.get(key))) for key, label in source.channels
        ),
        since=source.since,
        until=until if isinstance(until, date) else None,
        received_since_start=role(TicketRole.RECEIVED_SINCE_START),
        handled=role(TicketRole.HANDLED),
        in_progress=role(TicketRole.IN_PROGRESS),
        overdue=role(TicketRole.OVERDUE),
        overdue_by_unit=tuple(overdue),
        missing_units=tuple(dict.fromkeys(missing)),
        by_unit_known=bool(source.overdue_form),
    )


def summary_from_figures(
    figures: TicketFigures, channel_labels: Mapping[str, str]
) -> TicketSummary:
    """The block's figures from imported tickets (`domain.ticket_figures.compute_figures`);
    `channel_labels` names the channels to list, in order (channel key -> label)."""
    return TicketSummary(
        received=figures.period.received,
        by_channel=tuple(
            ChannelCount(label, figures.period.by_channel.get(key, 0))
            for key, label in channel_labels.items()
        ),
        since=figures.campaign_start,
        until=figures.period_end,
        received_since_start=figures.cumulative.received,
        handled=figures.cumulative.handled,
        in_progress=figures.cumulative.in_progress,
        overdue=figures.cumulative.overdue,
        overdue_by_unit=tuple(UnitCount(u.unit_code, u.count) for u in figures.overdue_units),
        overdue_unassigned=figures.unassigned_overdue,
    )


def overdue_warning(
    summary: TicketSummary,
    unit_code: str,
    label: str,
    unit_labels: dict[str, str],
    unassigned_label: str,
) -> ReportWarning | None:
    """A warning when every unit told its overdue count and they (with the tickets given to
    no unit yet) do not add up to the total the hotline gave; None otherwise, and None when
    nobody gives the overdue tickets unit by unit."""
    if summary.overdue is None or summary.missing_units:
        return None
    if not summary.by_unit_known:
        return None
    expected = summary.overdue_listed()
    if expected == summary.overdue:
        return None
    terms = tuple(
        (unit_labels.get(item.unit_code, item.unit_code), Decimal(item.count))
        for item in summary.overdue_by_unit
    )
    if summary.overdue_unassigned:
        terms += ((unassigned_label, Decimal(summary.overdue_unassigned)),)
    return ReportWarning(
        WarningKind.PARTS,
        unit_code,
        "",
        "",
        label,
        Decimal(expected),
        Decimal(summary.overdue),
        terms,
    )
