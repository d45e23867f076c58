"""The delivery worker: sends the outbox, within the platform's rate limits, retrying sanely.

Messages go in priority order (replies to people answering before bulk prompts) and in order
within a chat. Bulk messages never take the last in-flight places, so a slow platform busy
with a broadcast never keeps a reply waiting for a place. And a bulk message to a chat whose
person is answering waits until they pause (for at most half a minute): sent in between, it
would open the 1 s per-chat gap just before their next answer needs a reply.

A job (the "jobs" channel: a ticket import, the draft, the export) is a message whose send
is long work. Its run is recorded before it starts and cleared when it ends; runs cut short
(the process killed, out of memory) are counted, and past the channel's limit the job is
quarantined, and the office told once, instead of run again at every restart.

A message is marked sent soon after the platform accepted it: what is accepted within
MARK_WINDOW_SECONDS of the first is marked in one transaction (one disk sync for many, and
one transaction less in the way of the inbox's), so a restart resends only what was in
flight or accepted in that last moment before the crash.

The list of due messages is read from a snapshot, which may predate the settling of a message
that was in flight: such a message is never sent again, because it stays "in flight" until
its outcome is committed and a message settled since the snapshot began is skipped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from bot.channels.base import (
    Channel,
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Unavailable,
    Unreachable,
)
from bot.runtime.clock import Clock, wait_event
from bot.runtime.health import Reachability
from bot.runtime.ratelimit import RateLimiter, per_channel
from storage import PRIORITY_REPLY, Database, DiskFullError, OutboxMessage, WriteTransaction

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
MAX_IN_FLIGHT = 64
# Enough due messages per look to fill the in-flight places past those that must wait.
DUE_PER_LOOK = 200
# In-flight places only replies may take.
REPLY_PLACES = 16
# A chat that got a reply this recently is in a conversation: its bulk messages wait...
CONVERSATION_SECONDS = 3.0
# ...for at most this long; then they go in the slot right after the per-chat gap that
# follows a reply, the moment least likely to delay the reply to the next answer.
MAX_HOLD_SECONDS = 30.0
BULK_SLOT_SECONDS = 0.5
SHUTDOWN_GRACE_SECONDS = 5.0
# How long accepted messages gather before one transaction marks them sent. A mark per
# batch of replies cost a transaction (and a disk sync) per batch; at 300 answers/s this
# window took 7% off the bot's CPU (bench/answers.py), for at most this much more to resend
# after a crash.
MARK_WINDOW_SECONDS = 0.05
UnreachableHook = Callable[[str, str], Awaitable[None]]


@runtime_checkable
class DurableChannel(Protocol):
    """A channel whose sends are long jobs, counted so that one that crashes cannot loop."""

    name: str
    max_runs: int  # runs cut short before the job is quarantined

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Run the job."""

    async def quarantined(self, tx: WriteTransaction, message: OutboxMessage, runs: int) -> None:
        """Tell whoever asked for the job that it was set aside after `runs` runs."""


class DeliveryWorker:
    """Sends due outbox messages through their channels."""

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        limiter: RateLimiter,
        clock: Clock,
        on_unreachable: UnreachableHook | None = None,
        held: bool = False,
    ) -> None:
        self.db = db
        self.channels = channels
        # Which channels run long jobs: decided once, not per message on the send path.
        self._durable = {n: c for n, c in channels.items() if isinstance(c, DurableChannel)}
        self.limiter = limiter
        # Each channel counts its own sends, with `limiter`'s limits; jobs are not messages.
        self._limiters = per_channel(limiter, channels, unlimited=self._durable)
        self.clock = clock
        self.on_unreachable = on_unreachable
        self.reachability = Reachability(clock=clock)  # for /healthz and /metrics
        self._wake = asyncio.Event()
        # Until opened nothing is sent: at start, replies queued before a crash wait for the
        # updates that came meanwhile (see bot/runtime/restart.py).
        self._open = asyncio.Event()
        if not held:
            self._open.set()
        self._busy_chats: set[tuple[str, str]] = set()
        # What the last look left behind: chats waiting for their message in flight, and
        # whether the in-flight limit stopped it. Only their end calls for another look.
        self._chats_waiting: set[tuple[str, str]] = set()
        self._at_limit = False
        self._rate_limited = False
        # Being sent, or sent and not yet marked: never to be picked up again meanwhile.
        self._in_flight: set[int] = set()
        # When each chat in a conversation last had a reply taken for sending (monotonic).
        self._replied: dict[tuple[str, str], float] = {}
        # Settled (outcome committed) since the current look at the due messages began.
        self._settled: set[int] = set()
        # Accepted by the platform, waiting for the next marking transaction; the platform's
        # ids of those it gave one (a person's reply names it: the question it answers).
        self._accepted: list[int] = []
        self._refs: dict[int, str] = {}
        self._mark_wake = asyncio.Event()
        self._looking = False  # reading the due messages
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """Tell the worker something was queued."""
        self._wake.set()

    def open(self) -> None:
        """Start sending (a worker made `held` sends nothing until then)."""
        self._open.set()

    @property
    def in_flight(self) -> int:
        """Messages being sent, or sent and not yet marked."""
        return len(self._in_flight)

    async def run(self) -> None:
        """Send until cancelled."""
        await self._open.wait()
        marker = asyncio.create_task(self._mark_sent_forever(), name="delivery.mark_sent")
        try:
            while True:
                # Cleared before looking, so a wake() while looking is never lost.
                self._wake.clear()
                pause = await self.send_due()
                await wait_event(self._wake, pause)
        finally:
            # On a clean stop let in-flight sends record their outcome: cancelling one
            # between "Telegram accepted it" and "marked sent" would resend it after restart.
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_SECONDS)
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            marker.cancel()
            await asyncio.gather(marker, return_exceptions=True)
            try:
                await self._mark_accepted()  # what the marker had not committed yet
            except Exception:
                log.exception("marking %d outbox messages sent at stop failed", len(self._accepted))

    async def send_due(self) -> float:
        """Start sending what may go now; return how long to sleep before looking again."""
        self._settled = set()  # what settled before the snapshot below is in it
        self._looking = True
        try:
            async with self.db.read() as r:
                due = await r.outbox.due(self.clock(), limit=DUE_PER_LOOK)
        finally:
            self._looking = False
        settled_meanwhile = self._settled
        self._chats_waiting = set()
        self._at_limit = False
        self._rate_limited = False
        next_look, _ = self._start(due, settled_meanwhile)
        return max(next_look, 0.005)

    def offer(self, messages: list[OutboxMessage]) -> None:
        """Start sending messages the caller has just committed to the outbox.

        The same as a look would do with them, without reading them back: that read hops
        to a reader thread, and its answer waits while the event loop is busy (handling
        the next batch), so replies left a batch later. Only when nothing older can be
        waiting for the same chats, though: with a look pending or under way (it may have
        read an older message of the same chat), a chat waiting for its message in flight,
        a limit reached, or a message not due yet, a look sends them, in order and in time.
        """
        if not messages:
            return
        if not self._open.is_set():
            self.wake()  # the first look, once open, sends them
            return
        now = self.clock()
        if (
            self._looking
            or any(m.not_before is not None and m.not_before > now for m in messages)
            or self._wake.is_set()
            or self._at_limit
            or self._rate_limited
            or any((m.channel, m.chat_id) in self._chats_waiting for m in messages)
        ):
            self.wake()
            return
        _, all_started = self._start(messages, set())
        if not all_started:
            self.wake()  # the look takes what had to wait, and works out when to look again

    def _start(self, due: list[OutboxMessage], settled: set[int]) -> tuple[float, bool]:
        """Start the sends of those due messages that may go now, in order; return how long
        until the first that has to wait may go, and whether all of them went."""
        next_look = 1.0
        waiting = 0
        for message in due:
            key = (message.channel, message.chat_id)
            if message.id in self._in_flight or message.id in settled:
                continue
            waiting += 1  # until it is started below
            if key in self._busy_chats:
                self._chats_waiting.add(key)
                continue
            is_reply = message.priority <= PRIORITY_REPLY
            places = MAX_IN_FLIGHT if is_reply else MAX_IN_FLIGHT - REPLY_PLACES
            # Accepted messages waiting to be marked are no longer on the wire.
            if len(self._in_flight) - len(self._accepted) >= places:
                self._at_limit = True
                break  # replies come first: what follows cannot go either
            if not is_reply and self._hold_bulk(key, message):
                continue  # a later look finds it, once the person pauses
            is_group = message.chat_id.startswith("-")
            limiter = self._limiter(message.channel)
            # Bulk waits for its turn in an even spread: a reply finds the next turn free.
            wait = limiter.wait_for(message.chat_id, is_group, paced=not is_reply)
            if wait > 0:
                next_look = min(next_look, wait)
                self._rate_limited = True  # a send ending may free a place sooner
                # Never skip a chat's turn for another chat of lower priority: others still
                # go, but the overall limit is what usually blocks, and it blocks everyone.
                continue
            limiter.take(message.chat_id, is_group, paced=not is_reply)
            self._busy_chats.add(key)
            self._in_flight.add(message.id)
            task = asyncio.create_task(self._send(message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            waiting -= 1
        return next_look, waiting == 0

    def _hold_bulk(self, key: tuple[str, str], message: OutboxMessage) -> bool:
        """Whether a bulk message should wait because the chat's person is answering."""
        replied = self._replied.get(key)
        if replied is None:
            return False
        now = self.limiter.monotonic()
        since = now - replied
        if since >= CONVERSATION_SECONDS:
            # Ended conversations are forgotten here, so the map holds only recent ones.
            self._replied = {
                k: t for k, t in self._replied.items() if now - t < CONVERSATION_SECONDS
            }
            return False
        due_since = message.not_before or message.created_at
        if (self.clock() - due_since).total_seconds() < MAX_HOLD_SECONDS:
            return True
        return since > self._limiter(message.channel).chat_gap() + BULK_SLOT_SECONDS

    def _limiter(self, channel: str) -> RateLimiter:
        return self._limiters.get(channel) or self.limiter

    async def _send(self, message: OutboxMessage) -> None:
        accepted = False
        try:
            accepted = await self._attempt(message)
        except Exception:
            log.exception("delivery of outbox %s failed unexpectedly", message.id)
        finally:
            # The chat's next message may go once the platform has this one (and the
            # per-chat gap after it has passed).
            key = (message.channel, message.chat_id)
            self._limiter(message.channel).release(message.chat_id)
            self._busy_chats.discard(key)
            if message.priority <= PRIORITY_REPLY:
                self._replied[key] = self.limiter.monotonic()
            if accepted:
                self._accepted.append(message.id)
                self._mark_wake.set()
                # Another look is only worth it if something waited for this one to end.
                if key in self._chats_waiting or self._at_limit or self._rate_limited:
                    self.wake()
            else:
                self._settle([message.id])
                self.wake()

    def _settle(self, ids: list[int]) -> None:
        for message_id in ids:
            self._in_flight.discard(message_id)
            self._settled.add(message_id)

    async def _mark_sent_forever(self) -> None:
        """Mark accepted messages sent, all those accepted so far in one transaction."""
        while True:
            await self._mark_wake.wait()
            await asyncio.sleep(MARK_WINDOW_SECONDS)
            self._mark_wake.clear()
            try:
                await self._mark_accepted()
            except DiskFullError:
                # Expected for as long as the disk is full (the outage is logged once
                # elsewhere): the ids stay in memory, so nothing is sent twice meanwhile.
                log.debug("marking %d outbox messages sent: database full", len(self._accepted))
                await asyncio.sleep(1.0)
                self._mark_wake.set()
            except Exception:
                log.exception(
                    "marking %d outbox messages sent failed; retrying", len(self._accepted)
                )
                await asyncio.sleep(1.0)
                self._mark_wake.set()

    async def _mark_accepted(self) -> None:
        # They leave the list only once committed: if this is cancelled or fails, the next
        # call marks them again (marking twice is harmless).
        if not self._accepted:
            return
        async with self.db.write() as tx:
            # Taken once the transaction holds the write lock, so that what was accepted
            # while another transaction held it is marked in this one: one disk sync for all.
            ids = list(self._accepted)
            await tx.outbox.mark_sent_many(ids, platform_refs=self._refs)
        del self._accepted[: len(ids)]  # _send only appends
        for message_id in ids:
            self._refs.pop(message_id, None)
        self._settle(ids)
        if self._at_limit:
            self.wake()  # in-flight places came free

    async def _attempt(self, message: OutboxMessage) -> bool:
        """Try to send; True if the platform accepted it (to be marked sent), else settle it."""
        channel = self.channels.get(message.channel)
        if channel is None:
            async with self.db.write() as tx:
                await tx.outbox.mark_failed(message.id, f"no channel {message.channel}")
            return False
        durable = self._durable.get(message.channel)
        if durable is not None and not await self._start_run(durable, message):
            return False
        accepted = await self._deliver(channel, message)
        # Not reached when the run raised something unexpected: it counts as cut short.
        if durable is not None:
            async with self.db.write() as tx:
                await tx.outbox.end_run(message.id)
        return accepted

    async def _start_run(self, channel: DurableChannel, message: OutboxMessage) -> bool:
        """Record a job's run before it starts; False (quarantined) past its limit."""
        async with self.db.write() as tx:
            runs = await tx.outbox.start_run(message.id)
            if runs is None:
                return False  # settled meanwhile
            if runs <= channel.max_runs:
                return True
            cut_short = runs - 1
            await tx.outbox.quarantine(message.id, f"cut short {cut_short} times")
            await channel.quarantined(tx, message, cut_short)
        log.error("job %s quarantined: cut short %d times", message.id, cut_short)
        self.wake()  # the office's notice
        return False

    async def _deliver(self, channel: Channel, message: OutboxMessage) -> bool:
        """Send once; True if the platform accepted it (to be marked sent), else settle it."""
        try:
            ref = await channel.send(message.chat_id, message.payload)
        except RetryLater as error:
            # Which limit was hit is not said: past the overall one, sending on to other
            # chats would earn more 429s (and longer bans), so all of the channel waits.
            self._limiter(message.channel).pause_all(error.seconds)
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
            self.reachability.failed(message.channel, error)
            # After a timeout the platform may have the message: resending risks a
            # duplicate, losing it is worse.
            backoff = min(MAX_BACKOFF, timedelta(seconds=2 ** min(message.attempts, 10)))
            await self._retry(message, backoff, f"{type(error).__name__}: {error}")
        else:
            self.reachability.reached(message.channel)
            if ref is not None:
                self._refs[message.id] = ref
            return True
        return False

    async def _retry(self, message: OutboxMessage, after: timedelta, error: str) -> None:
        async with self.db.write() as tx:
            await tx.outbox.reschedule(message.id, self.clock() + after, error)
