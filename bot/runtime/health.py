"""What GET /healthz reports to the IT centre's monitoring: ok, or degraded and why.

Degraded means one of: the disk (database) is full, a chat platform could not be reached
on the last try (sending or polling), or the outbox has a message due for longer than
`BACKLOG_AFTER` (the bot is not keeping up, or cannot send).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.runtime.clock import Clock, system_clock
from bot.runtime.outage import StorageOutage
from storage import Database, StorageError

log = logging.getLogger(__name__)

BACKLOG_AFTER = timedelta(minutes=5)


@dataclass
class Reachability:
    """Which platforms failed on the last try, and how: set by the senders and pollers; and
    when each channel's polling last got an answer (for /metrics)."""

    failing: dict[str, str] = field(default_factory=dict)
    clock: Clock = system_clock
    last_poll: dict[str, datetime] = field(default_factory=dict)

    def polled(self, channel: str) -> None:
        """A poll of the channel's platform got an answer (updates or none)."""
        self.last_poll[channel] = self.clock()
        self.reached(channel)

    def failed(self, channel: str, error: Exception) -> None:
        """The last request to the channel's platform did not get through."""
        self.failing[channel] = type(error).__name__

    def reached(self, channel: str) -> None:
        """The last request to the channel's platform got an answer."""
        self.failing.pop(channel, None)


@dataclass
class HealthCheck:
    """The reasons the bot is degraded now; none when it is ok."""

    db: Database
    reachability: Reachability
    clock: Clock
    outage: StorageOutage | None = None

    async def reasons(self) -> list[str]:
        """Short English reasons, for a monitoring system and its operator."""
        reasons: list[str] = []
        if self.outage is not None and self.outage.active:
            reasons.append("disk full")
        for channel, error in sorted(self.reachability.failing.items()):
            reasons.append(f"platform unreachable: {channel} ({error})")
        try:
            async with self.db.read(one_statement=True) as view:
                oldest = await view.outbox.oldest_due()
        except StorageError as error:
            log.warning("health: cannot read the outbox: %s", error)
            reasons.append("database unreadable")
            return reasons
        if oldest is not None and self.clock() - oldest > BACKLOG_AFTER:
            minutes = int((self.clock() - oldest).total_seconds() // 60)
            reasons.append(f"outbox backlog: a message due for {minutes} min")
        return reasons
