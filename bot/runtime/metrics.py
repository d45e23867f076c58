"""GET /metrics: the bot's state in the Prometheus text format, for the IT centre's monitoring.

Counts only, never a unit's name or data (the port may be public). Read from one read-only
snapshot of the database (the same as `baocao doctor`), the senders' and pollers' last
outcomes, the current period's progress and the free space beside the database. See
docs/operations.md for the metrics and an example alert rule.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
from dataclasses import dataclass

from bot.runtime.clock import Clock
from bot.runtime.health import Reachability
from domain.calendar import current_period, deadline_at
from handlers.context import Catalog
from handlers.office import progress
from storage import Database, StorageError
from storage.inspection import OutboxState, outbox_state

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Metric:
    name: str
    help: str
    samples: tuple[tuple[dict[str, str], float], ...]


def _gauge(name: str, about: str, value: float, **labels: str) -> _Metric:
    return _Metric(name, about, ((labels, value),))


@dataclass
class Metrics:
    """Renders /metrics for one running bot."""

    db: Database
    reachability: Reachability
    clock: Clock
    catalog: Catalog
    polled: tuple[str, ...]  # the channels the bot polls (not on a webhook)
    channels: tuple[str, ...] = ()  # every channel the office is on

    async def text(self) -> str:
        """The exposition: every metric with its HELP and TYPE lines."""
        metrics = [
            _gauge(
                "baocao_disk_free_bytes",
                "Free space on the disk holding the database.",
                shutil.disk_usage(self.db.path.parent).free,
            )
        ]
        metrics += self._polling()
        try:
            state = await asyncio.to_thread(outbox_state, self.db.path, self.clock())
            metrics += _stored(state)
            metrics += await self._progress()
            readable = 1
        except (sqlite3.Error, StorageError) as error:
            log.warning("metrics: cannot read the database: %s", error)
            readable = 0
        about = "1 if the database could be read for these metrics."
        metrics.append(_gauge("baocao_database_readable", about, readable))
        return render(metrics)

    def _polling(self) -> list[_Metric]:
        failing = self.reachability.failing
        last = self.reachability.last_poll
        return [
            _Metric(
                "baocao_last_poll_success_timestamp_seconds",
                "When polling each channel last got an answer (Unix time; 0: not yet).",
                tuple(
                    ({"channel": c}, last[c].timestamp() if c in last else 0.0) for c in self.polled
                ),
            ),
            _Metric(
                "baocao_platform_reachable",
                "0 if the last request to the channel's platform failed (send or poll).",
                tuple(({"channel": c}, 0.0 if c in failing else 1.0) for c in self._channels()),
            ),
        ]

    def _channels(self) -> tuple[str, ...]:
        return tuple(sorted({*self.channels, *self.polled, *self.reachability.failing}))

    async def _progress(self) -> list[_Metric]:
        now = self.clock()
        period = current_period(now, self.catalog.regime)
        async with self.db.read() as view:
            found = await progress(view, self.catalog, period)
        label = {"period": period.key}
        return [
            _gauge("baocao_period_units", "Units owing figures this period.", found.total, **label),
            _gauge(
                "baocao_period_units_submitted",
                "Units that have submitted everything this period.",
                found.done,
                **label,
            ),
            _gauge(
                "baocao_period_deadline_timestamp_seconds",
                "The period's deadline (Unix time).",
                deadline_at(period, self.catalog.regime).timestamp(),
                **label,
            ),
        ]


def _stored(state: OutboxState) -> list[_Metric]:
    due_since = state.due_since.timestamp() if state.due_since else 0.0
    return [
        _gauge(
            "baocao_inbox_backlog",
            "Updates stored and not handled yet.",
            state.inbox_waiting,
        ),
        _gauge("baocao_outbox_due", "Messages that may be sent now and wait.", state.due),
        _gauge(
            "baocao_outbox_held",
            "Messages held back on purpose (quiet hours, back-off), not due yet.",
            state.pending - state.due,
        ),
        _gauge(
            "baocao_outbox_oldest_due_timestamp_seconds",
            "Since when the longest-waiting due message could have left (Unix time; 0: none).",
            due_since,
        ),
        _gauge(
            "baocao_outbox_unknown",
            "Sends whose outcome is unknown, held back to avoid duplicates.",
            state.unknown,
        ),
        _gauge(
            "baocao_jobs_quarantined",
            "Long jobs set aside after crashing too often (baocao jobs list).",
            len(state.quarantined),
        ),
        _gauge(
            "baocao_focal_points_unreachable",
            "Focal points who blocked the bot.",
            len(state.unreachable),
        ),
    ]


def render(metrics: list[_Metric]) -> str:
    """The Prometheus text format (version 0.0.4): HELP, TYPE gauge, then the samples."""
    lines = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} gauge")
        for labels, value in metric.samples:
            shown = ",".join(f'{k}="{_escaped(v)}"' for k, v in labels.items())
            lines.append(f"{metric.name}{{{shown}}} {_number(value)}" if shown else
                         f"{metric.name} {_number(value)}")  # fmt: skip
    return "\n".join(lines) + "\n"


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
