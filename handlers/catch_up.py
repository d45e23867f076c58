"""When a timetable step found due late (the bot was down) may go out: the timetable's rules
still apply to it, and the unit's next step may take its place."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.calendar import ScheduleKind, ScheduleStep, local_day, may_send
from domain.periods import ReportingRegime

# A step found due this long after its time was missed (the bot was down), not merely
# picked up by the next minutely run.
ON_TIME = timedelta(minutes=10)
# The steps sent to units (the office's late notice goes to the office).
UNIT_STEPS = frozenset(set(ScheduleKind) - {ScheduleKind.OFFICE_LATE_NOTICE})


def held(
    step: ScheduleStep, ahead: list[ScheduleStep], now: datetime, regime: ReportingRegime
) -> bool:
    """Whether a due step waits: one sent late goes out at the next moment its rules allow
    (out of quiet hours, on a working day for reminders), and gives way to the unit's next
    step (`ahead`) when that one comes later the same day: one message, not two."""
    if not may_send(step.kind, now, regime):
        return True
    if now - step.at <= ON_TIME:
        return False
    today = local_day(now, regime.timezone)
    return step.kind in UNIT_STEPS and any(local_day(s.at, regime.timezone) == today for s in ahead)
