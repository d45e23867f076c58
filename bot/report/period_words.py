"""How a draft names its period and compares it with the same period a year before:
«tháng 02 năm 2022», «quý I năm 2025», «6 tháng đầu năm 2025», «năm 2025»."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.report.snippets import FIGURE, mark
from domain.numbers import format_number, format_percent, ratio
from domain.periods import Period
from domain.report_dates import document_month
from domain.report_figures import FigureValue
from domain.report_periods import ReportPeriod, period_kind, same_last_year
from templates.catalog import text
from templates.periods import long_period_words


def period_title(period: Period) -> str:
    """The period as a report's title names it (Decree 09/2019's wording)."""
    if isinstance(period, ReportPeriod):
        return long_period_words("period_title", period)
    return text("report.period_title.month", month=document_month(period.month), year=period.year)


def period_words(period: Period, figure: Callable[[str, Period], FigureValue]) -> dict[str, Any]:
    """What snippets may say about the period: its title, the next period's (for the plan
    section), its kind, and `vs_last_year(name)`: a figure against the same period of the
    year before, or nothing where that year has no complete figure."""
    before_period = same_last_year(period)

    def vs_last_year(name: str) -> str:
        now, before = figure(name, period).number, figure(name, before_period).number
        if now is None or before is None:
            return ""
        diff = now - before
        share = ratio(abs(diff), before) if before > 0 else None
        # The catalog trims its texts: the space that sets the comparison off is ours.
        return " " + text(
            "report.vs_last_year",
            before=mark(FIGURE, format_number(before)),
            up=diff >= 0,
            diff=mark(FIGURE, format_number(abs(diff))),
            share=mark(FIGURE, format_percent(share)) if share is not None else "",
        )

    return {
        "period_title": period_title(period),
        "next_period_title": period_title(period.next()),
        "period_kind": period_kind(period).value,
        "vs_last_year": vs_last_year,
    }
