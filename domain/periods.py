"""Monthly reporting periods and the regime that fixes their windows, opening and deadlines.

A period is named by its reporting month: period 02/2022 collects data from 15/01/2022 to
14/02/2022 (Decree 09/2019), with the default window start day of 15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from functools import total_ordering

# The office's time zone when config.toml names none (an IANA name).
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A monthly reporting period, named by its reporting month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    @property
    def key(self) -> str:
        """Storage key, e.g. '2022-02'."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """As users write it, e.g. '02/2022'."""
        return f"{self.month:02d}/{self.year:04d}"

    def previous(self) -> Period:
        """The period before this one."""
        if self.month == 1:
            return Period(self.year - 1, 12)
        return Period(self.year, self.month - 1)

    def next(self) -> Period:
        """The period after this one."""
        if self.month == 12:
            return Period(self.year + 1, 1)
        return Period(self.year, self.month + 1)


_PERIOD_FORMS = (
    re.compile(r"^\s*(?P<year>\d{4})-(?P<month>\d{1,2})\s*$"),
    re.compile(r"^\s*(?P<month>\d{1,2})[/.-](?P<year>\d{4})\s*$"),
)


def parse_period(text: str) -> Period:
    """Read '2022-02', '02/2022' or '2/2022'; ValueError otherwise."""
    for pattern in _PERIOD_FORMS:
        match = pattern.match(text)
        if match:
            return Period(int(match["year"]), int(match["month"]))
    raise ValueError(f"not a period: {text!r} (expected MM/YYYY or YYYY-MM)")


@dataclass(frozen=True, slots=True)
class ReminderStep:
    """One reminder before the deadline: so many days before it, at a time of day."""

    days_before: int
    at: time


@dataclass(frozen=True, slots=True)
class ReportingRegime:
    """When periods run: window, opening, deadline, reminders, escalation.

    Exactly one of deadline_day and deadline_working_days is set.
    """

    timezone: str = DEFAULT_TIMEZONE
    window_start_day: int = 15
    # The period opens (prompts go out) this many days before the cut-off, at open_time.
    open_days_before_cutoff: int = 4
    open_time: time = time(8, 0)
    # Deadline: a day of the month after the cut-off day (e.g. 15 -> the 15th of the
    # reporting month when the cut-off is the 14th) ...
    deadline_day: int | None = 15
    # ... or N working days after the cut-off.
    deadline_working_days: int | None = None
    deadline_time: time = time(17, 0)
    # Move a deadline that falls on a weekend or public holiday to the next working day.
    shift_deadline_to_working_day: bool = True
    reminders: tuple[ReminderStep, ...] = field(
        default=(
            ReminderStep(3, time(8, 0)),
            ReminderStep(1, time(8, 0)),
            ReminderStep(0, time(8, 0)),
        )
    )
    # After the deadline, late units are reminded every N days (0: never) at late_time.
    late_every_days: int = 1
    late_time: time = time(8, 0)
    late_max_reminders: int = 10
    # The office is told who is late this long after the deadline.
    office_notice_delay_hours: int = 1
    # Reminders are not sent on weekends and public holidays (moved to the next working day).
    reminders_on_working_days_only: bool = True
    # No message goes out between quiet_start and quiet_end (local time), when set.
    quiet_start: time | None = time(21, 0)
    quiet_end: time | None = time(7, 0)
    # Where collection starts (going live): no earlier period is chased or answered unless
    # the office opens it by hand (/mo). None: wherever the calendar is.
    first_period: Period | None = None
