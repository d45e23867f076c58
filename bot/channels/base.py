"""What every chat channel offers the rest of the program, and how a send can fail."""

from __future__ import annotations

import base64
import re
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


class FileTooLarge(Exception):
    """A file a person sent is larger than the caller accepts: not downloaded (or not kept)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the file has {size} bytes")
        self.size = size


class Channel(Protocol):
    """A chat platform adapter."""

    name: str

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str | None:
        """Deliver one outbox payload; the platform's id of the message sent, if it gives
        one that a person's reply can name (None otherwise); raise a DeliveryError subclass
        on failure."""
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


# A tag or an entity is never cut; a text run may be, preferably after a space.
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[^<&\n]+|\n|[<&]")
_ANY_TAG = re.compile(r"<[^<>]*>")
_TAG_NAME = re.compile(r"</?\s*([\w-]+)")
# Room kept in each part for the tags closed at its end and reopened in the next one.
_TAG_ROOM = 256


def split_long_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A text too long for one message cut into parts that each fit and each are valid HTML.

    Parts end at line breaks where they can; a line longer than a message is cut between
    words. A tag or an entity (`&amp;`) is never cut, and a tag open at a cut (a <pre> block,
    a bold run) is closed at the end of the part and opened again at the start of the next.
    Measured on the HTML source, which is never shorter than what Telegram counts.
    """
    if _utf16_length(text) <= limit:
        return [text]
    budget = max(limit - _TAG_ROOM, 16)
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, the opening tag as written)
    current, size, has_text = "", 0, False  # size: current's length, kept as it grows
    for line in text.splitlines(keepends=True):
        pieces = [line] if _utf16_length(line) <= budget else _pieces(line, budget // 2)
        for piece in pieces:
            piece_size = _utf16_length(piece)
            if has_text and size + piece_size > budget:
                parts.append(current.rstrip("\n") + _closing(open_tags))
                current, has_text = "".join(tag for _, tag in open_tags), False
                size = _utf16_length(current)
            current += piece
            size += piece_size
            has_text = has_text or bool(_ANY_TAG.sub("", piece).strip())
            _track(piece, open_tags)
    if has_text:
        parts.append(current.rstrip("\n"))
    return parts


def _pieces(line: str, size: int) -> list[str]:
    """A long line as tags, entities and runs of text of at most `size` characters, a run
    cut after a space where one is near."""
    pieces: list[str] = []
    for token in _TOKEN.findall(line):
        while len(token) > size and not token.startswith(("<", "&")):
            cut = token.rfind(" ", size // 2, size) + 1 or size
            pieces.append(token[:cut])
            token = token[cut:]
        pieces.append(token)
    return pieces


def _track(html: str, open_tags: list[tuple[str, str]]) -> None:
    """Follow the tags a piece opens and closes."""
    for tag in _ANY_TAG.findall(html):
        found = _TAG_NAME.match(tag)
        if found is None:
            continue
        name = found[1].lower()
        if not tag.startswith("</"):
            open_tags.append((name, tag))
            continue
        for i in range(len(open_tags) - 1, -1, -1):
            if open_tags[i][0] == name:
                del open_tags[i]
                break


def _closing(open_tags: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))


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
