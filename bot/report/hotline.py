"""The hotline block's values as report snippets read them (`tickets.…`), from the one
TicketSummary the draft has: imported tickets, or the counts form when there are none.

The body, the appendix and the export all print that same summary, so they cannot
contradict; overdue tickets given to no unit yet are a line of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from bot.report.model import UnitLine
from bot.report.snippets import Fig, number
from domain.report_figures import FigureValue, ValueKind
from domain.report_tickets import TicketSummary
from templates.catalog import text

MakeFig = Callable[[FigureValue, str], Fig]


def tickets_view(
    summary: TicketSummary, holder: tuple[str, ...], fig: MakeFig, names: Mapping[str, str]
) -> dict[str, Any]:
    """`tickets` of the snippets: counts as figures (placeholders where the hotline unit has
    not answered), the overdue tickets unit by unit and `overdue_lines`, every line of the
    overdue list ready to print (units, «chưa giao đơn vị», the units not heard from)."""

    def count(name: str, value: int | None, label: str) -> Fig:
        missing = () if value is not None else holder
        amount = Decimal(value) if value is not None else None
        return fig(FigureValue(name, ValueKind.NUMBER, amount, missing), label)

    title = text("report.tickets.label")
    overdue_missing = tuple(code for code in summary.missing_units if code not in holder)
    missing_text = (
        fig(
            FigureValue("tickets.overdue_by_unit", ValueKind.NUMBER, None, overdue_missing),
            text("report.tickets.overdue_label"),
        ).placeholder()
        if overdue_missing
        else ""
    )
    by_unit = [
        {"name": names.get(item.unit_code, item.unit_code), "count": item.count}
        for item in summary.overdue_by_unit
    ]
    lines = [f"{u['name']}: {number(u['count'])}" for u in by_unit]
    if summary.overdue_unassigned:
        unassigned = text("report.tickets.unassigned")
        lines.append(f"{unassigned}: {number(summary.overdue_unassigned)}")
    if missing_text:
        lines.append(missing_text)
    return {
        "received": count("tickets.received", summary.received, title),
        "by_channel": [
            {"label": ch.label, "count": count(f"tickets.{ch.label}", ch.count, title)}
            for ch in summary.by_channel
        ],
        "since": summary.since,
        "until": fig(
            FigureValue(
                "tickets.until", ValueKind.DATE, summary.until, () if summary.until else holder
            ),
            title,
        ),
        "received_since_start": count("tickets.since_start", summary.received_since_start, title),
        "handled": count("tickets.handled", summary.handled, title),
        "in_progress": count("tickets.in_progress", summary.in_progress, title),
        "overdue": count("tickets.overdue", summary.overdue, title),
        "overdue_by_unit": by_unit,
        "overdue_unassigned": summary.overdue_unassigned,
        "overdue_missing": missing_text,
        "overdue_lines": lines,
    }


def overdue_rows(summary: TicketSummary | None, names: Mapping[str, str]) -> list[UnitLine]:
    """The appendix's overdue list: the units, then the tickets given to no unit yet."""
    if summary is None:
        return []
    if not summary.by_unit_known:
        # A counts form alone: the total is known, its split by unit is not.
        if not summary.overdue:
            return []
        return [UnitLine(text("report.tickets.not_by_unit"), "", summary.overdue)]
    rows = [
        UnitLine(names.get(item.unit_code, item.unit_code), "", item.count)
        for item in summary.overdue_by_unit
    ]
    if summary.overdue_unassigned:
        rows.append(UnitLine(text("report.tickets.unassigned"), "", summary.overdue_unassigned))
    return rows


def hotline_rows(summary: TicketSummary, names: Mapping[str, str]) -> list[tuple[str, int | str]]:
    """The hotline figures as (label, value) rows, for the export's sheet."""

    def shown(value: object) -> int | str:
        return value if isinstance(value, int) else ""

    rows: list[tuple[str, int | str]] = [
        (text("report.export.hotline.received"), shown(summary.received)),
        *((ch.label, shown(ch.count)) for ch in summary.by_channel),
        (text("report.export.hotline.since_start"), shown(summary.received_since_start)),
        (text("report.export.hotline.handled"), shown(summary.handled)),
        (text("report.export.hotline.in_progress"), shown(summary.in_progress)),
        (text("report.export.hotline.overdue"), shown(summary.overdue)),
    ]
    rows += [(line.unit, line.count or 0) for line in overdue_rows(summary, names)]
    return rows
