"""Working days, period dates and the message schedule of a reporting period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import (
    DeadlineStatus,
    ScheduleKind,
    ScheduleStep,
    add_working_days,
    cutoff_date,
    days_late,
    deadline_at,
    deadline_status,
    is_working_day,
    local_day,
    may_send,
    next_working_day,
    open_at,
    overdue_as_of,
    period_closed_at,
    period_containing,
    period_window,
    schedule_steps,
    validate_regime,
    working_days_between,
    working_days_late,
)
from domain.periods import Period, ReminderStep, ReportingRegime

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = ZoneInfo("UTC")
DEFAULT = ReportingRegime()
CALENDAR_MONTH = ReportingRegime(window_start_day=1)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# --- Working days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Tết 2022: 31/1-4/2 off, with the weekends 29-30/1 and 5-6/2 around it.
        (date(2022, 1, 28), True),
        (date(2022, 1, 29), False),
        (date(2022, 1, 31), False),
        (date(2022, 2, 1), False),
        (date(2022, 2, 4), False),
        (date(2022, 2, 6), False),
        (date(2022, 2, 7), True),
        (date(2022, 1, 3), False),  # New Year's Day fell on a Saturday: Monday off
        (date(2022, 4, 11), False),  # Hùng Kings' day on Sunday 10/4: Monday off
        (date(2022, 5, 2), False),  # 30/4 and 1/5 on the weekend: Monday and Tuesday off
        (date(2022, 5, 3), False),
        (date(2022, 5, 4), True),
        (date(2022, 9, 1), False),
        (date(2022, 9, 2), False),
        # Tết 2026: 14/2-22/2 off, the weekdays 16/2-20/2 are public holidays.
        (date(2026, 2, 13), True),
        (date(2026, 2, 16), False),
        (date(2026, 2, 17), False),
        (date(2026, 2, 20), False),
        (date(2026, 2, 23), True),
        (date(2026, 4, 27), False),  # Hùng Kings' day on Sunday 26/4: Monday off
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 5, 4), True),
        (date(2026, 8, 31), False),  # bridge day before National Day ...
        (date(2026, 8, 22), True),  # ... worked on Saturday 22/8 instead
        (date(2026, 8, 15), False),  # an ordinary Saturday
        (date(2026, 9, 1), False),
        (date(2026, 9, 2), False),
        (date(2026, 9, 3), True),
        (date(2026, 11, 24), False),  # Vietnam Culture Day, a day off from 2026
        (date(2025, 5, 2), False),  # bridge day 2025 ...
        (date(2025, 4, 26), True),  # ... worked on Saturday 26/4/2025
        (date(2026, 3, 11), True),  # an ordinary Wednesday
        (date(2026, 3, 15), False),  # an ordinary Sunday
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "n", "result"),
    [
        (date(2022, 1, 28), 1, date(2022, 2, 7)),  # over Tết 2022
        (date(2022, 1, 28), 0, date(2022, 1, 28)),
        (date(2022, 2, 7), -1, date(2022, 1, 28)),
        (date(2022, 2, 14), 3, date(2022, 2, 17)),
        (date(2026, 2, 13), 1, date(2026, 2, 23)),  # over Tết 2026
        (date(2026, 4, 29), 1, date(2026, 5, 4)),  # over 30/4-1/5/2026 and the weekend
        (date(2026, 8, 28), 1, date(2026, 9, 3)),  # over 31/8-2/9/2026
        (date(2026, 8, 21), 1, date(2026, 8, 22)),  # onto the make-up Saturday
        (date(2026, 3, 13), 1, date(2026, 3, 16)),  # Friday -> Monday
        (date(2026, 3, 14), 1, date(2026, 3, 16)),  # from a Saturday
    ],
)
def test_add_working_days(day: date, n: int, result: date) -> None:
    assert add_working_days(day, n) == result


@pytest.mark.parametrize(
    ("day", "result"),
    [
        (date(2022, 2, 7), date(2022, 2, 7)),
        (date(2022, 1, 29), date(2022, 2, 7)),
        (date(2026, 2, 14), date(2026, 2, 23)),
        (date(2026, 5, 1), date(2026, 5, 4)),
        (date(2026, 8, 22), date(2026, 8, 22)),
    ],
)
def test_next_working_day(day: date, result: date) -> None:
    assert next_working_day(day) == result


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2022, 1, 28), date(2022, 2, 7), 1),
        (date(2022, 1, 28), date(2022, 2, 6), 0),
        # January 2022: 21 weekdays, less 3/1 (New Year observed) and 31/1 (Tết).
        (date(2021, 12, 31), date(2022, 1, 31), 19),
        (date(2022, 1, 31), date(2021, 12, 31), -19),
        (date(2026, 3, 11), date(2026, 3, 11), 0),
        (date(2026, 2, 13), date(2026, 2, 27), 5),
    ],
)
def test_working_days_between(a: date, b: date, count: int) -> None:
    assert working_days_between(a, b) == count


def test_counting_and_adding_working_days_agree() -> None:
    start = date(2025, 12, 20)
    for n in range(60):
        assert working_days_between(start, add_working_days(start, n)) == n


# --- Windows and periods ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "regime", "window"),
    [
        (Period(2022, 2), DEFAULT, (date(2022, 1, 15), date(2022, 2, 14))),
        (Period(2022, 2), CALENDAR_MONTH, (date(2022, 2, 1), date(2022, 2, 28))),
        (Period(2024, 2), CALENDAR_MONTH, (date(2024, 2, 1), date(2024, 2, 29))),
        (Period(2023, 1), DEFAULT, (date(2022, 12, 15), date(2023, 1, 14))),
        (Period(2022, 12), CALENDAR_MONTH, (date(2022, 12, 1), date(2022, 12, 31))),
        (
            Period(2024, 3),
            ReportingRegime(window_start_day=20),
            (date(2024, 2, 20), date(2024, 3, 19)),
        ),
    ],
)
def test_period_window(period: Period, regime: ReportingRegime, window: tuple[date, date]) -> None:
    assert period_window(period, regime) == window
    assert cutoff_date(period, regime) == window[1]


def test_windows_follow_each_other_without_gap() -> None:
    period = Period(2021, 11)
    for _ in range(30):
        assert period_window(period.next(), DEFAULT)[0] == period_window(period, DEFAULT)[1] + (
            timedelta(days=1)
        )
        period = period.next()


@pytest.mark.parametrize("start_day", [0, 29, 31])
def test_a_window_must_start_on_a_day_every_month_has(start_day: int) -> None:
    with pytest.raises(ValueError, match="window_start_day"):
        period_window(Period(2022, 2), ReportingRegime(window_start_day=start_day))


@pytest.mark.parametrize(
    ("day", "regime", "period"),
    [
        (date(2022, 2, 14), DEFAULT, Period(2022, 2)),
        (date(2022, 2, 15), DEFAULT, Period(2022, 3)),
        (date(2022, 1, 15), DEFAULT, Period(2022, 2)),
        (date(2022, 12, 20), DEFAULT, Period(2023, 1)),
        (date(2022, 12, 14), DEFAULT, Period(2022, 12)),
        (date(2023, 1, 1), DEFAULT, Period(2023, 1)),
        (date(2022, 2, 28), CALENDAR_MONTH, Period(2022, 2)),
        (date(2022, 12, 31), CALENDAR_MONTH, Period(2022, 12)),
        (date(2023, 1, 1), CALENDAR_MONTH, Period(2023, 1)),
    ],
)
def test_period_containing(day: date, regime: ReportingRegime, period: Period) -> None:
    assert period_containing(day, regime) == period


def test_every_day_is_in_the_window_of_its_period() -> None:
    for regime in (DEFAULT, CALENDAR_MONTH, ReportingRegime(window_start_day=28)):
        day = date(2023, 11, 1)
        while day < date(2024, 4, 1):
            first, last = period_window(period_containing(day, regime), regime)
            assert first <= day <= last
            day += timedelta(days=1)


@pytest.mark.parametrize(
    ("period", "regime", "opening"),
    [
        (Period(2022, 2), DEFAULT, vn(2022, 2, 10, 8)),
        (Period(2022, 2), CALENDAR_MONTH, vn(2022, 2, 24, 8)),
        (Period(2023, 1), DEFAULT, vn(2023, 1, 10, 8)),
        (
            Period(2022, 2),
            ReportingRegime(open_days_before_cutoff=0, open_time=time(9, 30)),
            vn(2022, 2, 14, 9, 30),
        ),
    ],
)
def test_open_at(period: Period, regime: ReportingRegime, opening: datetime) -> None:
    result = open_at(period, regime)
    assert result == opening
    assert result.tzinfo == VN


# --- Deadlines ----------------------------------------------------------------------------

WORKING_3 = ReportingRegime(deadline_day=None, deadline_working_days=3)
MONTH_WORKING_3 = ReportingRegime(window_start_day=1, deadline_day=None, deadline_working_days=3)


@pytest.mark.parametrize(
    ("period", "regime", "deadline"),
    [
        (Period(2022, 2), DEFAULT, vn(2022, 2, 15, 17)),
        (Period(2022, 2), replace(DEFAULT, deadline_day=5), vn(2022, 3, 7, 17)),  # Sat -> Mon
        (
            Period(2022, 2),
            replace(DEFAULT, deadline_day=5, shift_deadline_to_working_day=False),
            vn(2022, 3, 5, 17),
        ),
        (Period(2022, 2), WORKING_3, vn(2022, 2, 17, 17)),
        (Period(2022, 1), WORKING_3, vn(2022, 1, 19, 17)),
        # Cut-off 31/1/2022 is Tết: three working days after it start on 7/2.
        (Period(2022, 1), MONTH_WORKING_3, vn(2022, 2, 9, 17)),
        (Period(2022, 1), replace(CALENDAR_MONTH, deadline_day=5), vn(2022, 2, 7, 17)),
        # Tết 2026: the 15th is a Sunday and 16-20/2 are holidays.
        (Period(2026, 2), DEFAULT, vn(2026, 2, 23, 17)),
        (
            Period(2026, 2),
            replace(DEFAULT, shift_deadline_to_working_day=False),
            vn(2026, 2, 15, 17),
        ),
        (Period(2026, 2), WORKING_3, vn(2026, 2, 25, 17)),
        # 1/5/2026 is a holiday (Friday), then the weekend.
        (Period(2026, 4), replace(CALENDAR_MONTH, deadline_day=1), vn(2026, 5, 4, 17)),
        # Cut-off 31/8/2026 is a bridge day; 1-2/9 are National Day.
        (Period(2026, 8), replace(MONTH_WORKING_3, deadline_working_days=1), vn(2026, 9, 3, 17)),
        (Period(2026, 8), replace(CALENDAR_MONTH, deadline_day=2), vn(2026, 9, 3, 17)),
        # Across the year: cut-off 14/1/2023, the 15th is a Sunday.
        (Period(2023, 1), DEFAULT, vn(2023, 1, 16, 17)),
        (Period(2022, 12), DEFAULT, vn(2022, 12, 15, 17)),
        (Period(2022, 12), replace(CALENDAR_MONTH, deadline_day=10), vn(2023, 1, 10, 17)),
        # A day the month lacks means its last day: 28/2/2022 (Monday).
        (Period(2022, 1), replace(CALENDAR_MONTH, deadline_day=31), vn(2022, 2, 28, 17)),
        (Period(2022, 3), replace(DEFAULT, deadline_day=31), vn(2022, 3, 31, 17)),
        (Period(2022, 2), replace(DEFAULT, deadline_time=time(23, 59)), vn(2022, 2, 15, 23, 59)),
    ],
)
def test_deadline_at(period: Period, regime: ReportingRegime, deadline: datetime) -> None:
    result = deadline_at(period, regime)
    assert result == deadline
    assert result.tzinfo == VN


@pytest.mark.parametrize(
    "regime",
    [
        ReportingRegime(deadline_day=None, deadline_working_days=None),
        ReportingRegime(deadline_day=15, deadline_working_days=3),
    ],
)
def test_exactly_one_deadline_rule(regime: ReportingRegime) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        deadline_at(Period(2022, 2), regime)
    with pytest.raises(ValueError, match="exactly one"):
        validate_regime(regime)


@pytest.mark.parametrize(
    ("regime", "message"),
    [
        (ReportingRegime(timezone="Mars/Olympus"), "timezone"),
        (ReportingRegime(deadline_day=32), "deadline_day"),
        (ReportingRegime(late_every_days=-1), "late_every_days"),
        (ReportingRegime(reminders=(ReminderStep(-1, time(8)),)), "days_before"),
        (ReportingRegime(quiet_start=None), "quiet"),
    ],
)
def test_validate_regime_names_the_bad_setting(regime: ReportingRegime, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_regime(regime)


def test_the_default_regime_is_valid() -> None:
    validate_regime(DEFAULT)
    validate_regime(WORKING_3)


# Period 02/2022 under the default regime is due 15/02/2022 17:00 +07 (10:00 UTC).
@pytest.mark.parametrize(
    ("moment", "status", "late_days", "late_working_days"),
    [
        (datetime(2022, 2, 10, 8, tzinfo=UTC), DeadlineStatus.BEFORE, 0, 0),
        (datetime(2022, 2, 14, 16, 59, 59, tzinfo=UTC), DeadlineStatus.BEFORE, 0, 0),
        # Midnight in Vietnam while still the 14th in UTC: the local date decides.
        (datetime(2022, 2, 14, 17, 0, tzinfo=UTC), DeadlineStatus.DUE_TODAY, 0, 0),
        (vn(2022, 2, 15, 8), DeadlineStatus.DUE_TODAY, 0, 0),
        (datetime(2022, 2, 15, 10, 0, tzinfo=UTC), DeadlineStatus.DUE_TODAY, 0, 0),
        (datetime(2022, 2, 15, 10, 0, 1, tzinfo=UTC), DeadlineStatus.LATE, 0, 0),
        (vn(2022, 2, 15, 17, 30), DeadlineStatus.LATE, 0, 0),
        (vn(2022, 2, 16, 0, 30), DeadlineStatus.LATE, 1, 1),
        (datetime(2022, 2, 15, 12, tzinfo=ZoneInfo("America/New_York")), DeadlineStatus.LATE, 1, 1),
        (vn(2022, 2, 19, 9), DeadlineStatus.LATE, 4, 3),  # Saturday
        (vn(2022, 2, 21, 9), DeadlineStatus.LATE, 6, 4),  # Monday
    ],
)
def test_deadline_status_and_lateness(
    moment: datetime, status: DeadlineStatus, late_days: int, late_working_days: int
) -> None:
    period = Period(2022, 2)
    assert deadline_status(period, moment, DEFAULT) is status
    assert days_late(period, moment, DEFAULT) == late_days
    assert working_days_late(period, moment, DEFAULT) == late_working_days


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_status(Period(2022, 2), datetime(2022, 2, 15, 8), DEFAULT)


# --- Schedule -----------------------------------------------------------------------------


def steps_as_tuples(steps: list[ScheduleStep]) -> list[tuple[str, str, datetime]]:
    return [(step.kind.value, step.key, step.at) for step in steps]


def test_schedule_of_february_2022() -> None:
    # Open Thursday 10/2. "3 days before" is Saturday 12/2 and moves to Monday 14/2, where
    # the "1 day before" reminder already is: one message, keyed by the earlier reminder.
    # Late reminders of Saturday 19/2, Sunday 20/2 and Monday 21/2 make one on Monday.
    assert steps_as_tuples(schedule_steps(Period(2022, 2), DEFAULT)) == [
        ("open", "open", vn(2022, 2, 10, 8)),
        ("remind", "remind-3d", vn(2022, 2, 14, 8)),
        ("remind", "remind-0d", vn(2022, 2, 15, 8)),
        ("office_late_notice", "office-late", vn(2022, 2, 15, 18)),
        ("late_remind", "late-1", vn(2022, 2, 16, 8)),
        ("late_remind", "late-2", vn(2022, 2, 17, 8)),
        ("late_remind", "late-3", vn(2022, 2, 18, 8)),
        ("late_remind", "late-4", vn(2022, 2, 21, 8)),
        ("late_remind", "late-7", vn(2022, 2, 22, 8)),
        ("late_remind", "late-8", vn(2022, 2, 23, 8)),
        ("late_remind", "late-9", vn(2022, 2, 24, 8)),
        ("late_remind", "late-10", vn(2022, 2, 25, 8)),
    ]


def test_schedule_of_february_2026_around_tet() -> None:
    # The deadline moves from Sunday 15/2 over Tết to Monday 23/2; every reminder before
    # it falls on Tết or a weekend and lands on the morning of the deadline.
    assert steps_as_tuples(schedule_steps(Period(2026, 2), DEFAULT)) == [
        ("open", "open", vn(2026, 2, 10, 8)),
        ("remind", "remind-3d", vn(2026, 2, 23, 8)),
        ("office_late_notice", "office-late", vn(2026, 2, 23, 18)),
        ("late_remind", "late-1", vn(2026, 2, 24, 8)),
        ("late_remind", "late-2", vn(2026, 2, 25, 8)),
        ("late_remind", "late-3", vn(2026, 2, 26, 8)),
        ("late_remind", "late-4", vn(2026, 2, 27, 8)),
        ("late_remind", "late-5", vn(2026, 3, 2, 8)),
        ("late_remind", "late-8", vn(2026, 3, 3, 8)),
        ("late_remind", "late-9", vn(2026, 3, 4, 8)),
        ("late_remind", "late-10", vn(2026, 3, 5, 8)),
    ]


def test_reminders_every_day_when_weekends_are_allowed() -> None:
    regime = replace(DEFAULT, reminders_on_working_days_only=False, late_max_reminders=3)
    assert steps_as_tuples(schedule_steps(Period(2022, 2), regime)) == [
        ("open", "open", vn(2022, 2, 10, 8)),
        ("remind", "remind-3d", vn(2022, 2, 12, 8)),
        ("remind", "remind-1d", vn(2022, 2, 14, 8)),
        ("remind", "remind-0d", vn(2022, 2, 15, 8)),
        ("office_late_notice", "office-late", vn(2022, 2, 15, 18)),
        ("late_remind", "late-1", vn(2022, 2, 16, 8)),
        ("late_remind", "late-2", vn(2022, 2, 17, 8)),
        ("late_remind", "late-3", vn(2022, 2, 18, 8)),
    ]


def test_quiet_hours_spanning_midnight() -> None:
    # Period 03/2022: cut-off Monday 14/3, due Tuesday 15/3 at 20:30; quiet 21:00-07:00.
    regime = replace(
        DEFAULT,
        deadline_time=time(20, 30),
        reminders=(
            ReminderStep(1, time(22, 0)),  # 14/3 22:00 -> 15/3 07:00
            ReminderStep(0, time(6, 0)),  # 15/3 06:00 -> 07:00, a duplicate: dropped
            ReminderStep(0, time(12, 0)),
        ),
        late_time=time(23, 0),
        late_max_reminders=3,
    )
    assert steps_as_tuples(schedule_steps(Period(2022, 3), regime)) == [
        ("open", "open", vn(2022, 3, 10, 8)),
        ("remind", "remind-1d", vn(2022, 3, 15, 7)),
        ("remind", "remind-0d-1200", vn(2022, 3, 15, 12)),
        ("office_late_notice", "office-late", vn(2022, 3, 16, 7)),  # 21:30 is quiet
        ("late_remind", "late-1", vn(2022, 3, 17, 7)),  # 16/3 23:00
        ("late_remind", "late-2", vn(2022, 3, 18, 7)),  # 17/3 23:00
        ("late_remind", "late-3", vn(2022, 3, 21, 7)),  # Fri 23:00 -> Sat 07:00 -> Monday
    ]


def test_quiet_hours_within_a_day_and_none() -> None:
    lunch = replace(
        DEFAULT,
        reminders=(ReminderStep(1, time(12, 15)),),
        quiet_start=time(12, 0),
        quiet_end=time(13, 30),
        late_every_days=0,
    )
    assert steps_as_tuples(schedule_steps(Period(2022, 3), lunch))[1] == (
        "remind",
        "remind-1d",
        vn(2022, 3, 14, 13, 30),
    )
    no_quiet = replace(
        DEFAULT,
        reminders=(ReminderStep(1, time(23, 0)),),
        quiet_start=None,
        quiet_end=None,
        late_every_days=0,
    )
    assert steps_as_tuples(schedule_steps(Period(2022, 3), no_quiet)) == [
        ("open", "open", vn(2022, 3, 10, 8)),
        ("remind", "remind-1d", vn(2022, 3, 14, 23)),
        ("office_late_notice", "office-late", vn(2022, 3, 15, 18)),
    ]


def test_a_reminder_that_would_move_past_the_deadline_is_dropped() -> None:
    # Due Sunday 15/2/2026 (not moved): the reminders of Saturday and Sunday would move to
    # Monday 23/2, after the deadline. The one of Thursday 12/2 stays.
    regime = replace(DEFAULT, shift_deadline_to_working_day=False, late_every_days=0)
    assert steps_as_tuples(schedule_steps(Period(2026, 2), regime)) == [
        ("open", "open", vn(2026, 2, 10, 8)),
        ("remind", "remind-3d", vn(2026, 2, 12, 8)),
        ("office_late_notice", "office-late", vn(2026, 2, 15, 18)),
    ]


def test_reminders_before_the_opening_or_after_the_deadline_are_dropped() -> None:
    regime = replace(
        DEFAULT,
        reminders=(
            ReminderStep(7, time(8)),  # 8/2, before the opening on 10/2
            ReminderStep(5, time(8)),  # 10/2 08:00, the opening itself
            ReminderStep(0, time(18)),  # after the 17:00 deadline
            ReminderStep(2, time(9)),
        ),
        late_every_days=0,
    )
    assert steps_as_tuples(schedule_steps(Period(2022, 2), regime)) == [
        ("open", "open", vn(2022, 2, 10, 8)),
        ("remind", "remind-2d", vn(2022, 2, 14, 9)),  # Sunday 13/2 -> Monday
        ("office_late_notice", "office-late", vn(2022, 2, 15, 18)),
    ]


def test_late_reminders_every_few_days_up_to_the_maximum() -> None:
    regime = replace(DEFAULT, late_every_days=3, late_max_reminders=3, late_time=time(9))
    late = [
        s for s in schedule_steps(Period(2022, 2), regime) if s.kind is ScheduleKind.LATE_REMIND
    ]
    assert [(s.key, s.at) for s in late] == [
        ("late-1", vn(2022, 2, 18, 9)),
        ("late-2", vn(2022, 2, 21, 9)),
        ("late-3", vn(2022, 2, 24, 9)),
    ]


def test_office_notice_delay() -> None:
    regime = replace(DEFAULT, office_notice_delay_hours=24, late_every_days=0)
    steps = schedule_steps(Period(2022, 2), regime)
    assert [s.at for s in steps if s.kind is ScheduleKind.OFFICE_LATE_NOTICE] == [
        vn(2022, 2, 16, 17)
    ]


@pytest.mark.parametrize(
    "period", [Period(2022, 1), Period(2022, 2), Period(2026, 2), Period(2026, 9)]
)
def test_schedule_keys_are_unique_stable_and_independent_of_shifting(period: Period) -> None:
    steps = schedule_steps(period, DEFAULT)
    keys = [step.key for step in steps]
    assert len(keys) == len(set(keys))
    assert steps == schedule_steps(period, DEFAULT)
    assert [step.at for step in steps] == sorted(step.at for step in steps)
    assert all(step.at.tzinfo == VN for step in steps)
    unshifted = replace(
        DEFAULT, reminders_on_working_days_only=False, quiet_start=None, quiet_end=None
    )
    assert set(keys) <= {step.key for step in schedule_steps(period, unshifted)}


def test_steps_are_never_in_quiet_hours_nor_off_working_days() -> None:
    for period in (Period(2022, 1), Period(2022, 2), Period(2026, 2), Period(2026, 5)):
        for step in schedule_steps(period, DEFAULT):
            assert time(7) <= step.at.time() < time(21)
            if step.kind in (ScheduleKind.REMIND, ScheduleKind.LATE_REMIND):
                assert is_working_day(step.at.date()), step


@pytest.mark.parametrize(
    ("moment", "as_of"),
    [
        (vn(2022, 2, 9, 12), date(2022, 2, 9)),  # before the opening: still today
        (vn(2022, 2, 17, 8), date(2022, 2, 17)),  # units still answer 02/2022: today
        (vn(2022, 3, 10, 7, 59), date(2022, 3, 10)),  # the last minute before 03/2022 opens
        (vn(2022, 3, 10, 8), date(2022, 3, 10)),  # 03/2022 open: the day 02/2022 closed
        (vn(2026, 11, 29, 9), date(2022, 3, 10)),  # years later: the same
    ],
)
def test_overdue_is_judged_on_the_day_the_period_closed_once_it_did(
    moment: datetime, as_of: date
) -> None:
    assert open_at(Period(2022, 3), DEFAULT) == vn(2022, 3, 10, 8)
    assert overdue_as_of(Period(2022, 2), moment, DEFAULT) == as_of


def test_a_period_closes_when_the_next_one_opens() -> None:
    assert period_closed_at(Period(2022, 2), DEFAULT) == vn(2022, 3, 10, 8)
    assert period_closed_at(Period(2021, 12), DEFAULT) == open_at(Period(2022, 1), DEFAULT)


def test_the_office_day_is_taken_in_its_time_zone() -> None:
    late_evening = datetime(2022, 2, 14, 18, 30, tzinfo=UTC)  # 01:30 on the 15th in Vietnam
    assert local_day(late_evening, DEFAULT.timezone) == date(2022, 2, 15)
    assert local_day(late_evening, "UTC") == date(2022, 2, 14)
    assert local_day(date(2022, 2, 1), DEFAULT.timezone) == date(2022, 2, 1)
    with pytest.raises(ValueError, match="naive"):
        local_day(datetime(2022, 2, 14), DEFAULT.timezone)


def test_an_opening_in_quiet_hours_is_the_end_of_them() -> None:
    regime = replace(DEFAULT, open_time=time(6, 30))
    assert open_at(Period(2022, 2), regime) == vn(2022, 2, 10, 7)
    assert schedule_steps(Period(2022, 2), regime)[0].at == vn(2022, 2, 10, 7)


@pytest.mark.parametrize(
    ("kind", "moment", "allowed"),
    [
        (ScheduleKind.LATE_REMIND, vn(2022, 2, 16, 21, 30), False),  # quiet hours
        (ScheduleKind.LATE_REMIND, vn(2022, 2, 17, 6, 59), False),
        (ScheduleKind.LATE_REMIND, vn(2022, 2, 17, 7), True),
        (ScheduleKind.REMIND, vn(2022, 2, 19, 10), False),  # Saturday
        (ScheduleKind.OPEN, vn(2022, 2, 19, 10), True),  # openings keep their day
        (ScheduleKind.OFFICE_LATE_NOTICE, vn(2022, 2, 19, 22), False),
        (ScheduleKind.LATE_REMIND, vn(2023, 1, 23, 9), False),  # Tết
        (ScheduleKind.LATE_REMIND, vn(2023, 1, 27, 9), True),
    ],
)
def test_may_send(kind: ScheduleKind, moment: datetime, allowed: bool) -> None:
    assert may_send(kind, moment, DEFAULT) is allowed
    weekends_too = replace(DEFAULT, reminders_on_working_days_only=False)
    assert may_send(ScheduleKind.REMIND, vn(2022, 2, 19, 10), weekends_too)
