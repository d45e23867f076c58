"""After a restart: what came meanwhile is handled before replies of unknown fate go again.

A reply the platform accepted just before a crash, not yet marked sent, is sent again on
restart: the person may see a question twice. To keep that rare and harmless, the bot at
start (1) notes the question messages still queued from before, (2) fetches and handles
the updates that arrived while it was down (answers to those very questions, often), and
only then (3) lets delivery go, dropping each noted message whose question (or flagged
figure, kept or fixed meanwhile) the conversation has moved past and telling the
conversation of the others that their question may be shown twice (handlers/repeats.py
holds a value that would then land on the next question).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.runtime.inbox import InboxWorker
from bot.runtime.ingress import Ingress
from bot.runtime.polling import TelegramCursor
from handlers.context import HandlerContext
from handlers.repeats import ASKS, FLAGS, flag_in_doubt, in_doubt
from storage import Database, OutboxMessage, WriteTransaction

log = logging.getLogger(__name__)

# The outbox's last_error of a message never sent because the conversation moved past it.
SUPERSEDED = "superseded: the conversation has moved past its question"
# Pending updates fetched at start, a getUpdates (at most 100 updates) at a time.
CATCH_UP_FETCHES = 20


async def questions_queued(db: Database) -> list[OutboxMessage]:
    """The question and flagged-figure messages queued and not known to be sent (call
    before sending starts)."""
    async with db.read() as r:
        return [*await r.outbox.waiting_with(ASKS), *await r.outbox.waiting_with(FLAGS)]


async def catch_up(cursor: TelegramCursor | None, ingress: Ingress, inbox: InboxWorker) -> int:
    """Store and handle what Telegram holds now (no long poll) and what the inbox holds;
    how many updates were fetched. A failing fetch is logged: polling fetches them later."""
    fetched = 0
    for _ in range(CATCH_UP_FETCHES):
        if cursor is None:
            break
        try:
            updates = await cursor.fetch(timeout=0)
        except Exception as error:
            log.warning("fetching the updates pending at start failed: %r", error)
            break
        if not updates or not await ingress.polled(cursor.name, updates):
            break
        cursor.confirm(updates)
        fetched += len(updates)
    await inbox.drain()
    return fetched


async def settle_in_doubt(
    db: Database,
    make_context: Callable[[WriteTransaction], HandlerContext],
    messages: list[OutboxMessage],
) -> int:
    """Drop the noted question messages the conversation has moved past; how many."""
    if not messages:
        return 0
    dropped = 0
    async with db.write() as tx:
        ctx = make_context(tx)
        for message in messages:
            if ASKS in message.payload:
                asked = str(message.payload[ASKS])
                still = await in_doubt(ctx, message.channel, message.chat_id, asked)
            else:
                tag = str(message.payload[FLAGS])
                still = await flag_in_doubt(ctx, message.channel, message.chat_id, tag)
            if not still:
                dropped += await tx.outbox.mark_failed(message.id, SUPERSEDED)
    log.info("%d of %d replies queued before the restart superseded", dropped, len(messages))
    return dropped
