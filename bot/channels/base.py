"""What every chat channel offers the rest of the program, and how a send can fail."""

from __future__ import annotations

import base64
from typing import Any, Protocol

from handlers.events import Choice, Document, Reply


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


# Telegram takes at most 4096 characters a message (UTF-16 code units, counted after the
# HTML is parsed); a longer text is refused outright and the person would get no answer.
MESSAGE_LIMIT = 4096


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_long_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A text too long for one message cut at line breaks into parts that each fit.

    Measured on the HTML source, which is never shorter than what Telegram counts. Tags
    open and close within a line in our texts, so each part stays valid HTML. A single
    line longer than a message is cut into pieces of `limit // 2` characters.
    """
    if _utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = [line[i : i + limit // 2] for i in range(0, len(line), limit // 2)] or [""]
        for piece in pieces:
            added = _utf16_length(piece) + (1 if current else 0)
            if current and size + added > limit:
                parts.append("\n".join(current))
                current, size, added = [], 0, _utf16_length(piece)
            current.append(piece)
            size += added
    parts.append("\n".join(current))
    return [part for part in parts if part.strip()]


def payload_choices(payload: dict[str, Any]) -> list[list[Choice]]:
    """The choices of an outbox payload."""
    return [[Choice(label, data) for label, data in row] for row in payload.get("choices", [])]


def payload_document(payload: dict[str, Any]) -> Document | None:
    """The document of an outbox payload, if any."""
    doc = payload.get("document")
    if not doc:
        return None
    return Document(doc["file_name"], base64.b64decode(doc["content"]), doc.get("caption", ""))


def shape(value: Any, depth: int = 3) -> str:
    """A value's keys and types without its contents, for logs that keep no one's words."""
    if isinstance(value, dict):
        if depth == 0:
            return "{...}"
        # Bounded: a hostile body's keys must not flood the log.
        shown = list(value.items())[:10]
        inner = ", ".join(f"{str(key)[:40]}: {shape(item, depth - 1)}" for key, item in shown)
        more = ", ..." if len(value) > len(shown) else ""
        return "{" + inner + more + "}"
    if isinstance(value, list):
        return f"[{len(value)} items]"
    return type(value).__name__
