"""What every chat channel offers the rest of the program, and how a send can fail."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any, Protocol

from handlers.events import Choice, Document, Reply
from storage import PRIORITY_BULK, PRIORITY_REPLY, WriteTransaction


class DeliveryError(Exception):
    """A message could not be sent now."""


class RetryLater(DeliveryError):
    """The platform asked us to wait (HTTP 429 retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Unreachable(DeliveryError):
    """The person blocked the bot or never started it (HTTP 403): stop trying."""


class Rejected(DeliveryError):
    """The platform refused the message itself (HTTP 400): retrying will not help."""


class Unavailable(DeliveryError):
    """A network error or a 5xx: try again with backoff."""


class OutcomeUnknown(DeliveryError):
    """A timeout after sending: the platform may or may not have the message."""


class Channel(Protocol):
    """A chat platform adapter."""

    name: str

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Deliver one outbox payload; raise a DeliveryError subclass on failure."""
        ...


def reply_to_payload(reply: Reply) -> dict[str, Any]:
    """A Reply as the JSON stored in the outbox."""
    payload: dict[str, Any] = {}
    if reply.text:
        payload["text"] = reply.text
    if reply.choices:
        payload["choices"] = [[[c.label, c.data] for c in row] for row in reply.choices]
    if reply.document is not None:
        payload["document"] = {
            "file_name": reply.document.file_name,
            "content": base64.b64encode(reply.document.content).decode("ascii"),
            "caption": reply.document.caption,
        }
    if reply.choices and not reply.numbered:
        payload["numbered"] = False
    payload.update(reply.extra)
    return payload


async def queue_replies(
    tx: WriteTransaction, replies: Iterable[Reply], default_channel: str = "telegram"
) -> int:
    """Put replies in the outbox of this transaction: bulk ones behind conversation replies."""
    count = 0
    for reply in replies:
        priority = PRIORITY_BULK if reply.bulk else PRIORITY_REPLY
        channel = reply.channel or default_channel
        await tx.outbox.enqueue(channel, reply.chat_id, reply_to_payload(reply), priority)
        count += 1
    return count


def payload_choices(payload: dict[str, Any]) -> list[list[Choice]]:
    """The choices of an outbox payload."""
    return [[Choice(label, data) for label, data in row] for row in payload.get("choices", [])]


def payload_document(payload: dict[str, Any]) -> Document | None:
    """The document of an outbox payload, if any."""
    doc = payload.get("document")
    if not doc:
        return None
    return Document(doc["file_name"], base64.b64decode(doc["content"]), doc.get("caption", ""))
