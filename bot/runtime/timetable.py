"""Runs the period timetable: APScheduler wakes it at each step's time, and once a minute;
and the daily housekeeping (`bot.runtime.housekeeping`), at night.

The timetable itself is derived from the config and the database every time (nothing is
kept in APScheduler's job store), so a changed plan takes effect at the next start, and a
restart picks up exactly the steps not yet done.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, time

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime.clock import Clock
from bot.runtime.outbox import queue_replies
from domain.calendar import current_period, schedule_steps
from domain.periods import ReportingRegime
from handlers.context import HandlerContext
from handlers.schedule import StepOutcome, run_due_steps
from storage import Database, WriteTransaction

log = logging.getLogger(__name__)

ContextFactory = Callable[[WriteTransaction], HandlerContext]
# Housekeeping runs at night, office time, when nobody is answering.
DAILY_AT = time(3, 15)
_KEPT_JOBS = ("minutely", "replan", "daily")


class Scheduler:
    """Sends each due step once; `tick` can be called directly (tests, catch-up on start)."""

    def __init__(
        self,
        db: Database,
        make_context: ContextFactory,
        regime: ReportingRegime,
        clock: Clock,
        on_queued: Callable[[], None],
        daily: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self.db = db
        self.make_context = make_context
        self.regime = regime
        self.clock = clock
        self.on_queued = on_queued
        self.daily = daily
        self._aps: AsyncIOScheduler | None = None

    async def tick(self) -> StepOutcome:
        """Queue every step due now that was not done yet, in one transaction."""
        async with self.db.write() as tx:
            outcome = await run_due_steps(self.make_context(tx))
            await queue_replies(tx, outcome.replies)
        if outcome.replies:
            self.on_queued()
        if outcome.sent or outcome.skipped:
            log.info(
                "timetable: %d steps sent, %d skipped, %d messages queued",
                len(outcome.sent),
                len(outcome.skipped),
                len(outcome.replies),
            )
        return outcome

    def upcoming(self, now: datetime) -> list[datetime]:
        """Moments of the current and next period's steps still ahead."""
        period = current_period(now, self.regime)
        moments: list[datetime] = []
        for p in (period, period.next()):
            moments.extend(s.at for s in schedule_steps(p, self.regime) if s.at > now)
        return sorted(set(moments))

    def start(self) -> None:
        """Start APScheduler in the office's time zone: a job per step time, and a minutely one."""
        self._aps = AsyncIOScheduler(timezone=self.regime.timezone)
        self._aps.add_job(
            self.tick, IntervalTrigger(minutes=1), id="minutely", coalesce=True, max_instances=1
        )
        for moment in self.upcoming(self.clock()):
            self._aps.add_job(self.tick, DateTrigger(run_date=moment), misfire_grace_time=None)
        # Steps are re-planned daily so the next period's times get their jobs too.
        self._aps.add_job(self._replan, IntervalTrigger(hours=24), id="replan")
        if self.daily is not None:
            at = CronTrigger(hour=DAILY_AT.hour, minute=DAILY_AT.minute)
            self._aps.add_job(self.daily, at, id="daily", coalesce=True, max_instances=1)
        self._aps.start()

    def _replan(self) -> None:
        assert self._aps is not None
        for job in self._aps.get_jobs():
            if job.id not in _KEPT_JOBS:
                job.remove()
        for moment in self.upcoming(self.clock()):
            self._aps.add_job(self.tick, DateTrigger(run_date=moment), misfire_grace_time=None)

    def stop(self) -> None:
        """Stop APScheduler (a running tick finishes or is rolled back)."""
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
