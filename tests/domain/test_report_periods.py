"""Report periods longer than a month: what people type, and the windows of Decree 09/2019."""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import deadline_at, is_working_day, open_at, period_closed_at, period_window
from domain.periods import Period, ReportingRegime
from domain.report_periods import (
    PeriodKind,
    ReportPeriod,
    months_of,
    parse_report_period,
    report_period,
    same_last_year,
)

REGIME = ReportingRegime()


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2025-03", "2025-03"),
        ("03/2025", "2025-03"),
        ("tháng 3/2025", "2025-03"),
        ("2025-Q1", "2025-Q1"),
        ("2025-q4", "2025-Q4"),
        ("quý 1/2025", "2025-Q1"),
        ("quý I/2025", "2025-Q1"),
        ("Quý III năm 2025", "2025-Q3"),
        ("quy 4/2025", "2025-Q4"),
        ("2025-H1", "2025-H1"),
        ("6 tháng 2025", "2025-H1"),
        ("6 tháng đầu năm 2025", "2025-H1"),
        ("2025-H2", "2025-H2"),
        ("6 tháng cuối năm 2025", "2025-H2"),
        ("2025-9M", "2025-9M"),
        ("9 tháng 2025", "2025-9M"),
        ("9 tháng đầu năm 2025", "2025-9M"),
        ("2025", "2025"),
        ("năm 2025", "2025"),
        ("  NĂM   2025 ", "2025"),
    ],
)
def test_every_way_people_write_a_period(typed: str, key: str) -> None:
    assert parse_report_period(typed).key == key


@pytest.mark.parametrize("typed", ["quý 5/2025", "2025-Q0", "2025-H3", "7 tháng 2025", "", "25"])
def test_what_is_not_a_period_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_report_period(typed)


def test_a_month_stays_a_plain_period() -> None:
    month = parse_report_period("2022-02")
    assert type(month) is Period
    assert month == Period(2022, 2)
    assert months_of(month) == (month,)


@pytest.mark.parametrize(
    ("key", "first", "last", "months"),
    [
        # A quarter: the 15th of the month before it to the 14th of its last month.
        ("2025-Q1", date(2024, 12, 15), date(2025, 3, 14), [1, 2, 3]),
        ("2025-Q2", date(2025, 3, 15), date(2025, 6, 14), [4, 5, 6]),
        ("2025-Q4", date(2025, 9, 15), date(2025, 12, 14), [10, 11, 12]),
        # Six months: 15/12 of the year before to 14/06; the second half 15/06 to 14/12.
        ("2025-H1", date(2024, 12, 15), date(2025, 6, 14), [1, 2, 3, 4, 5, 6]),
        ("2025-H2", date(2025, 6, 15), date(2025, 12, 14), [7, 8, 9, 10, 11, 12]),
        # Nine months (Khánh Hòa, Decision 01/2023): 15/12 to 14/09.
        ("2025-9M", date(2024, 12, 15), date(2025, 9, 14), list(range(1, 10))),
        # The year: 15/12 of the year before to 14/12.
        ("2025", date(2024, 12, 15), date(2025, 12, 14), list(range(1, 13))),
    ],
)
def test_windows_follow_the_decree(key: str, first: date, last: date, months: list[int]) -> None:
    period = parse_report_period(key)
    assert isinstance(period, ReportPeriod)
    assert period_window(period, REGIME) == (first, last)
    assert [m.month for m in period.months] == months
    assert {m.year for m in period.months} == {first.year + (first.month == 12)}


def test_a_weekend_cut_off_does_not_move_the_window_only_the_deadline() -> None:
    # 14/12/2024 is a Saturday and 15/12/2024 a Sunday.
    assert not is_working_day(date(2024, 12, 14))
    assert not is_working_day(date(2024, 12, 15))
    year_2024, year_2025 = (
        report_period(PeriodKind.YEAR, 2024),
        report_period(PeriodKind.YEAR, 2025),
    )
    assert period_window(year_2024, REGIME) == (date(2023, 12, 15), date(2024, 12, 14))
    assert period_window(year_2025, REGIME)[0] == date(2024, 12, 15)
    # The deadline (the 15th after the cut-off, a Sunday) moves to Monday 16/12/2024.
    assert deadline_at(year_2024, REGIME).date() == date(2024, 12, 16)


def test_steps_and_names() -> None:
    q1 = report_period(PeriodKind.QUARTER, 2025, 1)
    assert q1.previous().key == "2024-Q4"
    assert q1.next().key == "2025-Q2"
    assert report_period(PeriodKind.QUARTER, 2025, 4).next().key == "2026-Q1"
    assert report_period(PeriodKind.HALF, 2025, 1).previous().key == "2024-H2"
    assert report_period(PeriodKind.NINE_MONTHS, 2025).next().key == "2025-Q4"
    assert same_last_year(q1).key == "2024-Q1"
    assert same_last_year(Period(2025, 2)) == Period(2024, 2)
    # Named in words by templates.periods (the words live in the text catalog), not here.
    with pytest.raises(TypeError):
        _ = q1.label
    # A longer period is never equal to the monthly period of its last month.
    assert q1 != Period(2025, 3)


def test_a_period_that_does_not_end_where_its_kind_does_is_refused() -> None:
    with pytest.raises(ValueError):
        ReportPeriod(2025, 2, PeriodKind.QUARTER, 1)
    with pytest.raises(ValueError):
        ReportPeriod(2025, 3, PeriodKind.MONTH, 1)


def test_a_quarter_closes_when_the_month_after_it_opens() -> None:
    q1 = report_period(PeriodKind.QUARTER, 2025, 1)
    assert period_closed_at(q1, REGIME) == open_at(Period(2025, 4), REGIME)
    assert deadline_at(q1, REGIME) == deadline_at(Period(2025, 3), REGIME)
