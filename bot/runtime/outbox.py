"""Putting replies in the outbox: the one way anything the bot says is queued for delivery."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.channels.base import reply_to_payload, split_long_text
from handlers.events import Reply
from storage import PRIORITY_BULK, PRIORITY_REPLY, WriteTransaction


async def queue_replies(
    tx: WriteTransaction, replies: Iterable[Reply], default_channel: str = "telegram"
) -> int:
    """Put replies in the outbox of this transaction: bulk ones behind conversation replies.

    A text too long for one message goes as several, each its own outbox message (so each
    is delivered once); the choices go with the last.
    """
    count = 0
    for reply in replies:
        priority = PRIORITY_BULK if reply.bulk else PRIORITY_REPLY
        channel = reply.channel or default_channel
        parts = split_long_text(reply.text) if reply.document is None else [reply.text]
        for number, part in enumerate(parts, 1):
            piece = reply if len(parts) == 1 else replace(reply, text=part)
            if number < len(parts):
                piece = replace(piece, choices=())
            key = f"{reply.once_a_minute}:{number}" if reply.once_a_minute else None
            payload = reply_to_payload(piece)
            queued = await tx.outbox.enqueue(
                channel, reply.chat_id, payload, priority, once_a_minute=key
            )
            count += queued is not None
    return count
