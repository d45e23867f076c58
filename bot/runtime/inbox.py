"""The inbox worker: every stored chat event is handled once, in one transaction with its replies.

An event is in the inbox before the platform is told it was received; handling it, storing
what changed, queueing the replies and marking it handled commit together. A crash at any
moment therefore either loses nothing or leaves the event to be handled again on restart.

Events are handled in batches: one write transaction handles the pending events in arrival
order (up to `batch_size` of them, for at most about `batch_seconds`) and commits them
together, so one disk sync serves many answers. If any of them fails, the whole batch is
rolled back and its events are handled again in a transaction each, so a failing event never
takes the others' work with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels import telegram, zalo
from bot.channels.base import shape
from bot.runtime.clock import Clock, wait_event
from bot.runtime.outbox import queue_replies
from handlers.context import HandlerContext
from handlers.events import Incoming, Reply
from storage import (
    PRIORITY_REPLY,
    Database,
    DiskFullError,
    InboxItem,
    OutboxMessage,
    WriteTransaction,
)
from templates.catalog import text

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], Incoming | None]
Handler = Callable[[Incoming, HandlerContext], Awaitable[list[Reply]]]
ContextFactory = Callable[[WriteTransaction], HandlerContext]
KeyOf = Callable[[dict[str, Any]], str | None]
# How each channel's updates are told apart (repeats of a key are dropped) and read.
UPDATE_KEYS: dict[str, KeyOf] = {
    telegram.CHANNEL: telegram.update_key,
    zalo.CHANNEL: zalo.update_key,
}
PARSERS: dict[str, Parser] = {
    telegram.CHANNEL: telegram.parse_update,
    zalo.CHANNEL: zalo.parse_update,
}


class AlreadyHandled(Exception):
    """Another worker settled this event first."""


class InboxWorker:
    """Handles stored events in arrival order and queues the replies in the outbox."""

    def __init__(
        self,
        db: Database,
        parsers: dict[str, Parser],
        handler: Handler,
        make_context: ContextFactory,
        clock: Clock,
        on_queued: Callable[[list[OutboxMessage]], None],
        batch_size: int = 100,
        batch_seconds: float = 0.02,
        on_full: Callable[[DiskFullError], Awaitable[None]] | None = None,
        on_writable: Callable[[], None] | None = None,
        full_retry_seconds: float = 2.0,
    ) -> None:
        self.db = db
        self.parsers = parsers
        self.handler = handler
        self.make_context = make_context
        self.clock = clock
        self.on_queued = on_queued
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.on_full = on_full
        self.on_writable = on_writable
        self.full_retry_seconds = full_retry_seconds
        self._wake = asyncio.Event()
        # Whether the last batch may have left events behind (it was full, stopped at its
        # deadline, or failed): if not, draining stops without another transaction.
        self._more = False

    def wake(self) -> None:
        """Tell the worker new events are stored."""
        self._wake.set()

    async def run(self) -> None:
        """Handle events until cancelled."""
        while True:
            # Cleared before looking, so a wake() while draining is never lost.
            self._wake.clear()
            try:
                handled = await self.drain()
            except DiskFullError as error:
                # Nothing of the failed batch was kept and its events stay unhandled: they
                # are handled, once, when a later attempt finds space again.
                if self.on_full is not None:
                    await self.on_full(error)
                await asyncio.sleep(self.full_retry_seconds)
                continue
            if handled and self.on_writable is not None:
                self.on_writable()
            await wait_event(self._wake, 1.0)

    async def drain(self) -> int:
        """Handle every pending event; return how many were handled."""
        total = 0
        while True:
            handled = await self.handle_batch()
            total += handled
            # A batch that took every pending event leaves none: events stored since come
            # with a wake(), so looking again would only cost an empty transaction.
            if not handled or not self._more:
                return total

    async def handle_batch(self) -> int:
        """Handle the next pending events in one transaction; return how many were handled.

        The transaction ends after `batch_size` events or `batch_seconds` of handling, so the
        first replies of a long batch are not held back long and other writers (the poller
        storing new updates) get their turn. Should one event fail (or have been settled by
        another worker), nothing of the batch is kept and the events it handled are handled
        again in a transaction each.
        """
        attempted: list[InboxItem] = []
        self._more = True
        try:
            async with self.db.write() as tx:
                self._more = not await self._handle_pending(tx, attempted)
        except Exception:
            if not attempted:
                raise  # not even the events could be read: nothing to fall back on
            log.info(
                "a batch of %d inbox items was rolled back; handling them one by one",
                len(attempted),
            )
            for item in attempted:
                await self.handle_one(item)
        else:
            self.on_queued(tx.outbox.queued)
        return len(attempted)

    async def store_and_handle(self, channel: str, updates: list[dict[str, Any]]) -> None:
        """Store a polled batch and handle the pending events in the same transaction.

        One transaction and one disk sync instead of two, and no hand-over to `run()`; the
        poller confirms the batch to the platform only after this returns, as after a plain
        store. Events stored earlier and still pending are handled first, in arrival order.
        Should an event fail, nothing is kept: the batch is stored on its own and `run()`
        handles it as any stored batch (one by one if need be). Raises only when storing
        fails (the batch is then not confirmed and comes again).
        """
        attempted: list[InboxItem] = []
        try:
            async with self.db.write() as tx:
                await store_batch(tx, channel, updates)
                finished = await self._handle_pending(tx, attempted)
        except DiskFullError:
            raise
        except Exception:
            if not attempted:
                raise  # storing failed
            log.info("a polled batch failed in handling; storing it alone to handle later")
            async with self.db.write() as tx:
                await store_batch(tx, channel, updates)
            self.wake()
            return
        self.on_queued(tx.outbox.queued)
        if not finished:
            self.wake()  # the batch's limits left events for run()

    async def _handle_pending(self, tx: WriteTransaction, attempted: list[InboxItem]) -> bool:
        """Handle pending events in arrival order within the batch limits, adding each to
        `attempted` before handling it; whether none was left for lack of time or room."""
        items = await tx.inbox.next_unhandled(self.batch_size)
        deadline = time.monotonic() + self.batch_seconds
        for index, item in enumerate(items):
            attempted.append(item)
            await self._handle(tx, item)
            if time.monotonic() >= deadline:
                return index + 1 == len(items) and len(items) < self.batch_size
        return len(items) < self.batch_size

    async def _handle(self, tx: WriteTransaction, item: InboxItem) -> None:
        """Handle one event inside `tx`; raise (for the caller to roll back) if it fails."""
        parse = self.parsers.get(item.channel)
        event = parse(item.payload) if parse else None
        if event is not None:
            replies = await self.handler(event, self.make_context(tx))
            await self._queue(tx, item.channel, event, replies)
        if not await tx.inbox.mark_handled(item.id, self.clock()):
            raise AlreadyHandled(item.id)

    async def handle_one(self, item: InboxItem) -> None:
        """Handle one stored event; a failing handler still gets the person an answer."""
        parse = self.parsers.get(item.channel)
        event = parse(item.payload) if parse else None
        try:
            async with self.db.write() as tx:
                await self._handle(tx, item)  # rolls back what it did if it raises
            self.on_queued(tx.outbox.queued)
        except AlreadyHandled:
            return
        except DiskFullError:
            raise  # not the event's fault: it must stay unhandled, for a later attempt
        except Exception:
            log.exception("handling inbox item %s failed", item.id)
            async with self.db.write() as tx:
                # Another worker may have failed on it too (at start, the catch-up drains
                # beside the worker): the person is told once.
                if not await tx.inbox.mark_handled(item.id, self.clock(), error="handler failed"):
                    return
                if event is not None:
                    sorry = Reply(chat_id=event.sender.chat_id, text=text("chat.internal_error"))
                    await self._queue(tx, item.channel, event, [sorry])
            self.on_queued(tx.outbox.queued)

    async def _queue(
        self, tx: WriteTransaction, channel: str, event: Incoming, replies: list[Reply]
    ) -> None:
        if event.ack_id:
            ack = {"callback_query_id": event.ack_id}
            await tx.outbox.enqueue(channel, event.sender.chat_id, ack, priority=PRIORITY_REPLY)
        await queue_replies(tx, replies, channel)


async def store_batch(tx: WriteTransaction, channel: str, updates: list[dict[str, Any]]) -> int:
    """Keep a batch of updates in the inbox within `tx`, each under the key its channel gives
    it; return how many were new (the inbox's unique key drops the ones delivered before)."""
    key_of = UPDATE_KEYS[channel]
    new = 0
    for update in updates:
        key = key_of(update)
        if key is None:
            log.warning("%s update without an id ignored: %s", channel, shape(update))
            continue
        new += await tx.inbox.store(channel, key, update) is not None
    return new


async def store_updates(db: Database, channel: str, updates: list[dict[str, Any]]) -> int:
    """Keep a batch of updates in the inbox in one transaction; return how many were new."""
    async with db.write() as tx:
        return await store_batch(tx, channel, updates)
