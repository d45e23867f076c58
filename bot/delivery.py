"""The delivery worker: sends the outbox, within the platform's rate limits, retrying sanely.

Messages go in priority order (replies to people answering before bulk prompts) and in order
within a chat. A message is marked sent right after the platform accepted it, so a restart
resends only what was in flight at the crash.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from bot.channels.base import (
    Channel,
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Unavailable,
    Unreachable,
)
from bot.clock import Clock, wait_event
from bot.ratelimit import RateLimiter
from storage import Database, OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
MAX_IN_FLIGHT = 64
SHUTDOWN_GRACE_SECONDS = 5.0
UnreachableHook = Callable[[str, str], Awaitable[None]]


class DeliveryWorker:
    """Sends due outbox messages through their channels."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        limiter: RateLimiter,
        clock: Clock,
        on_unreachable: UnreachableHook | None = None,
    ) -> None:
        self.db = db
        self.channels = channels
        self.limiter = limiter
        self.clock = clock
        self.on_unreachable = on_unreachable
        self._wake = asyncio.Event()
        self._busy_chats: set[tuple[str, str]] = set()
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Tell the worker something was queued."""
        self._wake.set()

    async def run(self) -> None:
        """Send until cancelled."""
        try:
            while True:
                pause = await self.send_due()
                self._wake.clear()
                await wait_event(self._wake, pause)
        finally:
            # On a clean stop let in-flight sends record their outcome: cancelling one
            # between "Telegram accepted it" and "marked sent" would resend it after restart.
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def send_due(self) -> float:
        """Start sending what may go now; return how long to sleep before looking again."""
        async with self.db.read() as r:
            due = await r.outbox.due(self.clock(), limit=500)
        next_look = 1.0
        for message in due:
            key = (message.channel, message.chat_id)
            if message.id in self._in_flight or key in self._busy_chats:
                continue
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                break
            is_group = message.chat_id.startswith("-")
            wait = self.limiter.wait_for(message.chat_id, is_group)
            if wait > 0:
                next_look = min(next_look, wait)
                # Never skip a chat's turn for another chat of lower priority: others still
                # go, but the overall limit is what usually blocks, and it blocks everyone.
                continue
            self.limiter.take(message.chat_id, is_group)
            self._busy_chats.add(key)
            self._in_flight.add(message.id)
            task = asyncio.create_task(self._send(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return max(next_look, 0.005)

    async def _send(self, message: OutboxMessage) -> None:
        try:
            await self._attempt(message)
        except Exception:
            log.exception("delivery of outbox %s failed unexpectedly", message.id)
        finally:
            self._busy_chats.discard((message.channel, message.chat_id))
            self._in_flight.discard(message.id)
            self.wake()

    async def _attempt(self, message: OutboxMessage) -> None:
        channel = self.channels.get(message.channel)
        if channel is None:
            async with self.db.write() as tx:
                await tx.outbox.mark_failed(message.id, f"no channel {message.channel}")
            return
        try:
            await channel.send(message.chat_id, message.payload)
        except RetryLater as error:
            self.limiter.pause_chat(message.chat_id, error.seconds)
            await self._retry(message, timedelta(seconds=error.seconds), str(error))
        except Unreachable as error:
            async with self.db.write() as tx:
                await tx.outbox.mark_failed(message.id, str(error))
            if self.on_unreachable is not None:
                await self.on_unreachable(message.channel, message.chat_id)
        except Rejected as error:
            log.error("outbox %s rejected by %s: %s", message.id, message.channel, error)
            async with self.db.write() as tx:
                await tx.outbox.mark_failed(message.id, str(error))
        except (Unavailable, OutcomeUnknown) as error:
            # After a timeout the platform may have the message: resending risks a
            # duplicate, losing it is worse.
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(message.attempts, 10)))
            await self._retry(message, backoff, f"{type(error).__name__}: {error}")
        else:
            async with self.db.write() as tx:
                await tx.outbox.mark_sent(message.id)

    async def _retry(self, message: OutboxMessage, after: timedelta, error: str) -> None:
        async with self.db.write() as tx:
            await tx.outbox.reschedule(message.id, self.clock() + after, error)
