"""Scheduler steps already carried out, so a restart never sends a step twice; and the
last reminder each unit was sent for a period (migration 0010)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.periods import Period
from storage import codec
from storage.repos.base import Repository

OFFICE_WIDE = ""  # unit_code of steps that concern the whole office

_SELECT = "SELECT 1 FROM schedule_steps WHERE period_key = ? AND unit_code = ? AND step_key = ?"
_SELECT_PERIOD = "SELECT unit_code, step_key FROM schedule_steps WHERE period_key = ?"
_SELECT_UNIT_STEP = "SELECT period_key FROM schedule_steps WHERE unit_code = ? AND step_key = ?"
_INSERT = """
INSERT INTO schedule_steps (period_key, unit_code, step_key, done_at) VALUES (?, ?, ?, ?)
ON CONFLICT (period_key, unit_code, step_key) DO NOTHING
"""
_REMINDED = """
INSERT INTO reminders_sent (period_key, unit_code, last_at) VALUES (?, ?, ?)
ON CONFLICT (period_key, unit_code) DO UPDATE SET
    last_at = MAX(last_at, excluded.last_at), times = times + 1
"""
_SELECT_REMINDED = "SELECT unit_code, last_at, times FROM reminders_sent WHERE period_key = ?"


@dataclass(frozen=True, slots=True)
class LastReminder:
    """The last reminder a unit was sent for a period, and how many it was sent in all."""

    at: datetime
    times: int


class ScheduleReader(Repository):
    """Checking which steps are done."""

    __slots__ = ()

    async def is_done(
        self, period: Period | str, step_key: str, unit_code: str = OFFICE_WIDE
    ) -> bool:
        """Whether the step was already carried out for this period (and unit)."""
        params = (codec.period_key(period), unit_code, step_key)
        return await self._s.row(_SELECT, params) is not None

    async def done_steps(self, period: Period | str) -> set[tuple[str, str]]:
        """Every (unit_code, step_key) done for a period."""
        rows = await self._s.rows(_SELECT_PERIOD, (codec.period_key(period),))
        return {(r["unit_code"], r["step_key"]) for r in rows}

    async def periods_with(self, unit_code: str, step_key: str) -> list[str]:
        """The keys of the periods in which a unit's step was done, oldest first."""
        rows = await self._s.rows(_SELECT_UNIT_STEP, (unit_code, step_key))
        return sorted(r["period_key"] for r in rows)

    async def last_reminders(self, period: Period | str) -> dict[str, LastReminder]:
        """Unit code -> the last reminder it was sent for the period, in one read."""
        rows = await self._s.rows(_SELECT_REMINDED, (codec.period_key(period),))
        return {
            r["unit_code"]: LastReminder(codec.parse_timestamp(r["last_at"]), r["times"])
            for r in rows
        }


class ScheduleWriter(ScheduleReader):
    """Recording steps as done."""

    __slots__ = ()

    async def mark_done(
        self,
        period: Period | str,
        step_key: str,
        unit_code: str = OFFICE_WIDE,
        at: datetime | None = None,
    ) -> bool:
        """Record the step; False if it was already done (then do not send it again).

        Call it in the transaction that queues the step's messages, so both happen or neither.
        """
        when = codec.timestamp(at or self._s.now())
        params = (codec.period_key(period), unit_code, step_key, when)
        return await self._s.run(_INSERT, params) > 0

    async def reminded(self, period: Period | str, unit_code: str, at: datetime) -> None:
        """Record that a reminder for the period was queued to the unit's focal points."""
        params = (codec.period_key(period), unit_code, codec.timestamp(at))
        await self._s.run(_REMINDED, params)
