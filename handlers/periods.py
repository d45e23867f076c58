"""Which period a chat works on at a given moment."""

from __future__ import annotations

from datetime import datetime

from domain.calendar import current_period, deadline_at
from domain.periods import Period, ReportingRegime

__all__ = ["current_period", "deadline_of"]


def deadline_of(period: Period, regime: ReportingRegime) -> datetime:
    """The period's deadline (re-exported so handlers need one import)."""
    return deadline_at(period, regime)
