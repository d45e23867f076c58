"""The inbox worker: every stored chat event is handled once, in one transaction with its replies.

An event is in the inbox before the platform is told it was received; handling it, storing
what changed, queueing the replies and marking it handled commit together. A crash at any
moment therefore either loses nothing or leaves the event to be handled again on restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.base import reply_to_payload
from bot.clock import Clock, wait_event
from bot.texts import text
from handlers.context import HandlerContext
from handlers.events import Incoming, Reply
from storage import PRIORITY_BULK, PRIORITY_REPLY, Database, InboxItem, WriteTransaction

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any]], Incoming | None]
Handler = Callable[[Incoming, HandlerContext], Awaitable[list[Reply]]]
ContextFactory = Callable[[WriteTransaction], HandlerContext]


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
        on_queued: Callable[[], None],
        batch_size: int = 100,
    ) -> None:
        self.db = db
        self.parsers = parsers
        self.handler = handler
        self.make_context = make_context
        self.clock = clock
        self.on_queued = on_queued
        self.batch_size = batch_size
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Tell the worker new events are stored."""
        self._wake.set()

    async def run(self) -> None:
        """Handle events until cancelled."""
        while True:
            handled = await self.drain()
            if not handled:
                self._wake.clear()
                await wait_event(self._wake, 1.0)

    async def drain(self) -> int:
        """Handle every pending event; return how many were handled."""
        total = 0
        while True:
            async with self.db.read() as r:
                items = await r.inbox.next_unhandled(self.batch_size)
            if not items:
                return total
            for item in items:
                await self.handle_one(item)
            total += len(items)
            self.on_queued()

    async def handle_one(self, item: InboxItem) -> None:
        """Handle one stored event; a failing handler still gets the person an answer."""
        payload = item.payload
        parse = self.parsers.get(item.channel)
        event = parse(payload) if parse else None
        try:
            async with self.db.write() as tx:
                replies = []
                if event is not None:
                    replies = await self.handler(event, self.make_context(tx))
                    await self._queue(tx, item.channel, event, replies)
                if not await tx.inbox.mark_handled(item.id, self.clock()):
                    raise AlreadyHandled(item.id)  # rolls back what this handling did
        except AlreadyHandled:
            return
        except Exception:
            log.exception("handling inbox item %s failed", item.id)
            async with self.db.write() as tx:
                if event is not None:
                    sorry = Reply(chat_id=event.sender.chat_id, text=text("chat.internal_error"))
                    await self._queue(tx, item.channel, event, [sorry])
                await tx.inbox.mark_handled(item.id, self.clock(), error="handler failed")

    async def _queue(
        self, tx: WriteTransaction, channel: str, event: Incoming, replies: list[Reply]
    ) -> None:
        if event.ack_id:
            ack = {"callback_query_id": event.ack_id}
            await tx.outbox.enqueue(channel, event.sender.chat_id, ack, priority=PRIORITY_REPLY)
        for reply in replies:
            priority = PRIORITY_BULK if reply.bulk else PRIORITY_REPLY
            await tx.outbox.enqueue(
                reply.channel or channel, reply.chat_id, reply_to_payload(reply), priority=priority
            )
