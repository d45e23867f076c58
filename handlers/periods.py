"""Which period a chat works on at a given moment."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import deadline_at, open_at, period_containing
from domain.periods import Period, ReportingRegime


def current_period(now: datetime, regime: ReportingRegime) -> Period:
    """The latest period that has opened by `now` (late units still answer it)."""
    candidate = period_containing(now.date(), regime)
    # The period containing today may not have opened yet: then the previous one is current.
    while open_at(candidate, regime) > now:
        candidate = candidate.previous()
    return candidate


def deadline_of(period: Period, regime: ReportingRegime) -> datetime:
    """The period's deadline (re-exported so handlers need one import)."""
    return deadline_at(period, regime)
