"""How a period is named to people: a month "02/2022"; a longer period in the words of
the text catalog (texts/report.toml, [period_label]): «quý I/2025», «6 tháng đầu năm 2025»,
«năm 2025». The domain names periods by number only: its words live with every other."""

from __future__ import annotations

from domain.periods import Period
from domain.report_periods import ReportPeriod
from templates.catalog import text


def period_label(period: Period) -> str:
    """The period as offices write it, for chat, captions, summaries and file headers."""
    if isinstance(period, ReportPeriod):
        return long_period_words("period_label", period)
    return period.label


def long_period_words(table: str, period: ReportPeriod) -> str:
    """A longer period in the words of report.toml's `table` for its kind (label, title)."""
    return text(
        f"report.{table}.{period.kind.value}",
        year=period.year,
        number=period.number,
        roman=period.roman,
    )
