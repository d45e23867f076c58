"""Working days and the dates of a reporting period: window, opening, deadline, reminders.

Every datetime returned is timezone-aware in the regime's timezone. Nothing here reads the
clock: the moment to judge is always passed in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from domain.periods import Period, ReminderStep, ReportingRegime
from domain.report_periods import ReportPeriod, months_of

_ONE_DAY = timedelta(days=1)


# --- Working days ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DaysOff:
    holidays: frozenset[date]
    # Saturdays worked in exchange for a bridge day off (2025-04-26 for 2025-05-02).
    make_up_days: frozenset[date]


@lru_cache(maxsize=16)
def _days_off(year: int) -> _DaysOff:
    # Neighbouring years too: the make-up Saturday for a day off can fall in another year
    # (2019-01-05 was worked for 2018-12-31). expand=False keeps the object from growing.
    vietnam = holidays.country_holidays("VN", years=range(year - 1, year + 2), expand=False)
    return _DaysOff(
        holidays=frozenset(vietnam),
        make_up_days=frozenset(getattr(vietnam, "weekend_workdays", ())),
    )


def is_working_day(d: date) -> bool:
    """Whether offices work on d: Monday to Friday, not a public holiday or Tết day off."""
    days_off = _days_off(d.year)
    if d.weekday() >= 5:
        return d in days_off.make_up_days
    return d not in days_off.holidays


def next_working_day(d: date) -> date:
    """d itself if it is a working day, else the first working day after it."""
    while not is_working_day(d):
        d += _ONE_DAY
    return d


def add_working_days(d: date, n: int) -> date:
    """The n-th working day strictly after d (before it when n < 0); d itself when n == 0."""
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        d += step
        if is_working_day(d):
            remaining -= 1
    return d


def working_days_between(a: date, b: date) -> int:
    """How many working days fall after a, up to and including b; negative if b < a."""
    if b < a:
        return -working_days_between(b, a)
    return sum(is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


# --- The office's day ----------------------------------------------------------------------


def local_day(now: datetime | date, timezone: str) -> date:
    """The office's calendar day at `now` (an aware datetime) in the IANA `timezone`, or `now`
    itself if it is a date."""
    if isinstance(now, datetime):
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"naive datetime {now!r}: pass a timezone-aware datetime")
        return now.astimezone(ZoneInfo(timezone)).date()
    return now


# --- The regime ---------------------------------------------------------------------------


def validate_regime(regime: ReportingRegime) -> None:
    """ValueError naming the first setting of the regime that cannot work."""
    office_zone(regime)
    if (regime.deadline_day is None) == (regime.deadline_working_days is None):
        raise ValueError("set exactly one of deadline_day and deadline_working_days")
    # The window must start on a day every month has.
    if not 1 <= regime.window_start_day <= 28:
        raise ValueError(f"window_start_day must be 1..28, got {regime.window_start_day}")
    if regime.deadline_day is not None and not 1 <= regime.deadline_day <= 31:
        raise ValueError(f"deadline_day must be 1..31, got {regime.deadline_day}")
    counts = {
        "deadline_working_days": regime.deadline_working_days or 0,
        "open_days_before_cutoff": regime.open_days_before_cutoff,
        "late_every_days": regime.late_every_days,
        "late_max_reminders": regime.late_max_reminders,
        "office_notice_delay_hours": regime.office_notice_delay_hours,
        "reminder days_before": min((r.days_before for r in regime.reminders), default=0),
    }
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    if (regime.quiet_start is None) != (regime.quiet_end is None):
        raise ValueError("set both quiet_start and quiet_end, or neither")


def office_zone(regime: ReportingRegime) -> ZoneInfo:
    """The office's time zone: every time a user sees is shown in it."""
    try:
        return ZoneInfo(regime.timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {regime.timezone!r}") from error


def _at(d: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, at.replace(tzinfo=None), tzinfo=zone)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be timezone-aware, got {moment!r}")
    return moment.astimezone(zone)


# --- Periods ------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    # Day 28 plus 4 days is always in the next month; its day 1 minus one day is our last.
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - _ONE_DAY


def period_window(period: Period, regime: ReportingRegime) -> tuple[date, date]:
    """First and last day (the cut-off) of the data a period collects."""
    if isinstance(period, ReportPeriod):  # its first month's start to its last's cut-off
        first, last = period.months[0], period.months[-1]
        return period_window(first, regime)[0], period_window(last, regime)[1]
    start_day = regime.window_start_day
    if not 1 <= start_day <= 28:
        raise ValueError(f"window_start_day must be 1..28, got {start_day}")
    if start_day == 1:
        return date(period.year, period.month, 1), _month_end(period.year, period.month)
    before = period.previous()
    start = date(before.year, before.month, start_day)
    return start, date(period.year, period.month, start_day - 1)


def cutoff_date(period: Period, regime: ReportingRegime) -> date:
    """The last day of data a period collects."""
    return period_window(period, regime)[1]


def period_containing(d: date, regime: ReportingRegime) -> Period:
    """The period whose window holds d: 14/02/2022 -> 02/2022, 15/02/2022 -> 03/2022."""
    period = Period(d.year, d.month)
    if regime.window_start_day != 1 and d.day >= regime.window_start_day:
        return period.next()
    return period


def open_at(period: Period, regime: ReportingRegime) -> datetime:
    """When units are first asked for the period's figures: the configured day and time,
    moved out of quiet hours, as the timetable sends it (and `baocao check` shows it)."""
    zone = office_zone(regime)
    day = cutoff_date(period, regime) - timedelta(days=regime.open_days_before_cutoff)
    return _settle(_at(day, regime.open_time, zone), regime, zone, working_only=False)


def _first_day_numbered(n: int, after: date) -> date:
    # Months shorter than n use their last day, so deadline_day 31 still means "month end".
    year, month = after.year, after.month
    while True:
        candidate = date(year, month, min(n, _month_end(year, month).day))
        if candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def deadline_at(period: Period, regime: ReportingRegime) -> datetime:
    """When the period's figures are due."""
    if (regime.deadline_day is None) == (regime.deadline_working_days is None):
        raise ValueError("set exactly one of deadline_day and deadline_working_days")
    cutoff = cutoff_date(period, regime)
    if regime.deadline_day is not None:
        day = _first_day_numbered(regime.deadline_day, cutoff)
    else:
        assert regime.deadline_working_days is not None  # checked above
        day = add_working_days(cutoff, regime.deadline_working_days)
    if regime.shift_deadline_to_working_day:
        day = next_working_day(day)
    return _at(day, regime.deadline_time, office_zone(regime))


class DeadlineStatus(StrEnum):
    """Where a moment stands relative to a period's deadline."""

    BEFORE = "before"
    DUE_TODAY = "due_today"
    LATE = "late"


def deadline_status(period: Period, moment: datetime, regime: ReportingRegime) -> DeadlineStatus:
    """BEFORE the deadline's local date, DUE_TODAY on it up to the deadline, LATE after."""
    deadline = deadline_at(period, regime)
    local = _local(moment, office_zone(regime))
    if local > deadline:
        return DeadlineStatus.LATE
    if local.date() == deadline.date():
        return DeadlineStatus.DUE_TODAY
    return DeadlineStatus.BEFORE


def days_late(period: Period, moment: datetime, regime: ReportingRegime) -> int:
    """Calendar days from the deadline's date to the moment's local date; 0 if not late."""
    deadline = deadline_at(period, regime)
    local = _local(moment, office_zone(regime))
    if local <= deadline:
        return 0
    return (local.date() - deadline.date()).days


def working_days_late(period: Period, moment: datetime, regime: ReportingRegime) -> int:
    """Working days from the deadline's date to the moment's local date; 0 if not late."""
    deadline = deadline_at(period, regime)
    local = _local(moment, office_zone(regime))
    if local <= deadline:
        return 0
    return working_days_between(deadline.date(), local.date())


# --- Schedule -----------------------------------------------------------------------------


class ScheduleKind(StrEnum):
    """What a scheduled step does."""

    OPEN = "open"
    REMIND = "remind"
    LATE_REMIND = "late_remind"
    OFFICE_LATE_NOTICE = "office_late_notice"


_KIND_ORDER = {kind: i for i, kind in enumerate(ScheduleKind)}


@dataclass(frozen=True, slots=True)
class ScheduleStep:
    """One message to send for a period; key is stable across restarts and unique per period."""

    kind: ScheduleKind
    key: str
    at: datetime


def schedule_steps(period: Period, regime: ReportingRegime) -> list[ScheduleStep]:
    """Every message of the period, sorted by time, with weekends and quiet hours applied."""
    validate_regime(regime)
    zone = office_zone(regime)
    opening = open_at(period, regime)
    deadline = deadline_at(period, regime)
    # Through UTC, so that "one hour later" stays one hour across a DST change.
    notice_at = (
        deadline.astimezone(UTC) + timedelta(hours=regime.office_notice_delay_hours)
    ).astimezone(zone)
    steps = [
        ScheduleStep(ScheduleKind.OPEN, "open", opening),
        *_reminders(regime, zone, opening, deadline),
        ScheduleStep(
            ScheduleKind.OFFICE_LATE_NOTICE,
            "office-late",
            _settle(notice_at, regime, zone, working_only=False),
        ),
        *_late_reminders(regime, zone, deadline),
    ]
    return sorted(steps, key=lambda step: (step.at, _KIND_ORDER[step.kind]))


def may_send(kind: ScheduleKind, moment: datetime, regime: ReportingRegime) -> bool:
    """Whether a step of `kind` may go out at `moment`: outside quiet hours, and for
    reminders on a working day when the regime says so (the rules `schedule_steps` applies,
    for a step sent later than planned, e.g. after downtime)."""
    zone = office_zone(regime)
    local = _local(moment, zone)
    return _settle(local, regime, zone, _working_only(kind, regime)) == local


def _working_only(kind: ScheduleKind, regime: ReportingRegime) -> bool:
    reminder = kind in (ScheduleKind.REMIND, ScheduleKind.LATE_REMIND)
    return reminder and regime.reminders_on_working_days_only


def _reminder_keys(reminders: tuple[ReminderStep, ...]) -> list[str]:
    # "remind-3d" normally; the time is added only when two reminders share a day.
    per_day = Counter(r.days_before for r in reminders)
    return [
        f"remind-{r.days_before}d"
        if per_day[r.days_before] == 1
        else f"remind-{r.days_before}d-{r.at:%H%M}"
        for r in reminders
    ]


def _reminders(
    regime: ReportingRegime, zone: ZoneInfo, opening: datetime, deadline: datetime
) -> list[ScheduleStep]:
    keyed = zip(regime.reminders, _reminder_keys(regime.reminders), strict=True)
    # Earliest first, so that of two reminders moved onto one moment the earlier one's key stays.
    ordered = sorted(keyed, key=lambda pair: (-pair[0].days_before, pair[0].at))
    steps: list[ScheduleStep] = []
    taken: set[datetime] = set()
    for reminder, key in ordered:
        day = deadline.date() - timedelta(days=reminder.days_before)
        at = _settle(
            _at(day, reminder.at, zone), regime, zone, regime.reminders_on_working_days_only
        )
        # A reminder must fall while the period is open: after the opening prompt (which
        # already asks) and before the deadline (after it, late reminders take over).
        if not opening < at < deadline or at in taken:
            continue
        taken.add(at)
        steps.append(ScheduleStep(ScheduleKind.REMIND, key, at))
    return steps


def _late_reminders(
    regime: ReportingRegime, zone: ZoneInfo, deadline: datetime
) -> list[ScheduleStep]:
    if regime.late_every_days <= 0:
        return []
    steps: list[ScheduleStep] = []
    taken: set[datetime] = set()
    for i in range(1, regime.late_max_reminders + 1):
        day = deadline.date() + timedelta(days=i * regime.late_every_days)
        at = _settle(
            _at(day, regime.late_time, zone), regime, zone, regime.reminders_on_working_days_only
        )
        # Saturday's and Sunday's reminders both move to Monday: send one, keep its first key.
        if at <= deadline or at in taken:
            continue
        taken.add(at)
        steps.append(ScheduleStep(ScheduleKind.LATE_REMIND, f"late-{i}", at))
    return steps


def _settle(at: datetime, regime: ReportingRegime, zone: ZoneInfo, working_only: bool) -> datetime:
    """Move a step off non-working days (when asked) and out of quiet hours."""
    # Leaving quiet hours can land on a weekend (Friday 22:00 -> Saturday 07:00) and moving to
    # a working day keeps the time of day, so repeat until neither rule moves the step.
    while True:
        moved = at
        if working_only and not is_working_day(moved.date()):
            moved = _at(next_working_day(moved.date()), moved.time(), zone)
        moved = _out_of_quiet_hours(moved, regime, zone)
        if moved == at:
            return at
        at = moved


def _out_of_quiet_hours(at: datetime, regime: ReportingRegime, zone: ZoneInfo) -> datetime:
    start, end = regime.quiet_start, regime.quiet_end
    if start is None or end is None or start == end:
        return at
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    clock = at.time()
    if start < end:  # e.g. 12:00-13:00, within one day
        return _at(at.date(), end, zone) if start <= clock < end else at
    if clock >= start:  # spans midnight, evening side: wait for tomorrow morning
        return _at(at.date() + _ONE_DAY, end, zone)
    if clock < end:  # spans midnight, early-morning side
        return _at(at.date(), end, zone)
    return at


def current_period(now: datetime, regime: ReportingRegime) -> Period:
    """The latest period that has opened by `now` (never one before the regime's
    first_period): units still answer it after its deadline, until the next period opens."""
    candidate = period_containing(now.astimezone(office_zone(regime)).date(), regime)
    while open_at(candidate, regime) > now:
        candidate = candidate.previous()
    first = regime.first_period
    # Before collection starts, the first period is the one units answer when it opens.
    return first if first is not None and candidate < first else candidate


def period_closed_at(period: Period, regime: ReportingRegime) -> datetime:
    """When units stopped answering a period: when the next period opened by the timetable
    (they answer after the last day, by the deadline and late, until then; the office's
    /khoa stops figures, not answers about tickets, and an early /mo changes nothing here,
    as for `current_period`)."""
    return open_at(months_of(period)[-1].next(), regime)  # a quarter: when its next month did


def tickets_stood_at(period: Period, now: datetime, regime: ReportingRegime) -> datetime | None:
    """The moment a period's figures take the tickets as they stood: None (as they stand
    now) while units still answer the period; once it closed (`period_closed_at`), the
    moment it closed. A report compiled again then gives what a draft made at the close
    gave: the answers and imports of the deadline's days count, what changed since does
    not."""
    closed = period_closed_at(period, regime)
    return closed if closed <= now else None


def overdue_as_of(period: Period, now: datetime, regime: ReportingRegime) -> date:
    """The day a period's figures judge tickets overdue on: today while units answer it, the
    day it closed once closed (as the tickets are taken, `tickets_stood_at`)."""
    moment = tickets_stood_at(period, now, regime) or now
    return _local(moment, office_zone(regime)).date()
