"""When the database is full: nothing is acknowledged, people and the office are told, once.

A full disk (or database) makes every write fail, the outbox included, so the notices here
are sent directly through the channel, best effort, with a fixed text: each chat that wrote
during the outage is told once, within a global budget per minute, and the office once per
outage (and at most once an hour, so an outage that flaps does not flood it). The updates
themselves wait at the platform (unacknowledged) and are stored and handled, once, when
space returns; whoever notices that first (the ingress, for pollers and webhooks alike, or
the inbox worker) calls `cleared()`. The office is told in its Telegram drafts chat and in
the Zalo chat of each of its Zalo admins (an office on Zalo only has no group chat with the
bot), on the channels the bot runs.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any

from bot.channels.base import Channel
from bot.runtime.clock import Clock
from handlers.events import Incoming
from templates.catalog import text

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], Incoming | None]

NOTICES_PER_MINUTE = 20
OFFICE_QUIET = timedelta(hours=1)


@dataclass
class StorageOutage:
    """The state of a storage outage, and the notices it causes."""

    channels: Callable[[], Mapping[str, Channel]]
    parsers: Mapping[str, Parser]
    office_chats: Sequence[tuple[str, str]]  # (channel, chat id) of each office chat
    clock: Clock
    zone: tzinfo  # the office's: the notice says since when, in its time
    notices_per_minute: int = NOTICES_PER_MINUTE
    active: bool = False
    since: datetime | None = None
    office_told_at: datetime | None = None
    # Figures, for logs and tests.
    outages: int = 0
    office_notices: int = 0
    sender_notices: int = 0
    _told: set[tuple[str, str]] = field(default_factory=set)
    _sent: deque[float] = field(default_factory=deque)

    async def full(self, error: Exception) -> None:
        """A write failed for lack of space: log it and tell the office, once per outage."""
        if self.active:
            log.debug("database still full: %s", error)
            return
        self.active = True
        self.outages += 1
        self.since = self.clock()
        log.error(
            "database full (%s): new updates stay unacknowledged at the platform, handling "
            "pauses; both resume by themselves once space is freed",
            error,
        )
        last = self.office_told_at
        if self.office_chats and (last is None or self.since - last >= OFFICE_QUIET):
            body = text("chat.storage_full_office", since=self.since, zone=self.zone)
            told = 0
            for channel, chat_id in self.office_chats:
                told += await self._send(channel, chat_id, body)
            if told:  # one chat reached is enough: the office knows
                self.office_told_at = self.since
                self.office_notices += told

    async def refused(self, channel: str, updates: list[dict[str, Any]]) -> None:
        """These updates could not be stored: tell each sender once, within the budget."""
        parse = self.parsers.get(channel)
        for update in updates:
            event = parse(update) if parse else None
            if event is None:
                continue
            chat = (channel, event.sender.chat_id)
            if chat in self._told or not self._budget_left():
                continue
            self._told.add(chat)
            if await self._send(channel, event.sender.chat_id, text("chat.storage_full_user")):
                self.sender_notices += 1

    def cleared(self) -> None:
        """A write succeeded again: the outage is over."""
        if not self.active:
            return
        self.active = False
        self._told.clear()
        lasted = self.clock() - self.since if self.since else timedelta(0)
        log.warning("database writable again after %s; refused updates are being stored", lasted)

    def _budget_left(self) -> bool:
        now = time.monotonic()
        while self._sent and now - self._sent[0] > 60:
            self._sent.popleft()
        return len(self._sent) < self.notices_per_minute

    async def _send(self, channel: str, chat_id: str, body: str) -> bool:
        """Send directly (the outbox cannot be written); False if that failed too."""
        target = self.channels().get(channel)
        if target is None:
            return False
        self._sent.append(time.monotonic())
        try:
            await target.send(chat_id, {"text": body})
        except Exception as error:  # best effort: the platform may be failing as well
            log.warning("storage-full notice to %s:%s not sent (%s)", channel, chat_id, error)
            return False
        return True
