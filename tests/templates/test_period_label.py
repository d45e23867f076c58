"""Periods named as offices write them, in the text catalog's words."""

from __future__ import annotations

import pytest

from domain.periods import Period
from domain.report_periods import PeriodKind, parse_report_period, report_period
from templates.periods import period_label


@pytest.mark.parametrize(
    ("kind", "number", "label"),
    [
        (PeriodKind.QUARTER, 1, "quý I/2025"),
        (PeriodKind.QUARTER, 4, "quý IV/2025"),
        (PeriodKind.HALF, 1, "6 tháng đầu năm 2025"),
        (PeriodKind.HALF, 2, "6 tháng cuối năm 2025"),
        (PeriodKind.NINE_MONTHS, 1, "9 tháng năm 2025"),
        (PeriodKind.YEAR, 1, "năm 2025"),
    ],
)
def test_a_longer_period_is_named_in_words(kind: PeriodKind, number: int, label: str) -> None:
    period = report_period(kind, 2025, number)
    assert period_label(period) == label
    assert parse_report_period(label) == period  # what is written is read back


def test_a_month_is_named_by_its_numbers() -> None:
    assert period_label(Period(2022, 2)) == "02/2022"
