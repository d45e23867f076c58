"""Zalo through the Zalo Bot Platform API: fetching updates, parsing them, rendering, sending.

The API is Telegram-like (``POST <base>/bot<TOKEN>/<method>`` with JSON bodies, answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N, "description": ...}``),
but poorer:

* ``getUpdates`` takes only ``timeout`` and returns ONE update with no update id and no
  offset; error code 408 means the poll timed out. Updates are deduplicated in the inbox by
  their message id. The webhook receives the update wrapped as getUpdates answers it,
  ``{"ok": true, "result": update}``; the bare update is taken too (``unwrap``).
* An update is ``{event_name, message: {message_id, date (ms), chat: {id, chat_type},
  from: {id, display_name}, text}}``; besides text, photos, stickers, voice and
  "unsupported" messages arrive, and ``chat_type`` GROUP marks a group chat.
* There are no buttons, no documents, no edits and no HTML; a text holds at most 2000
  characters. Our Telegram-HTML replies are drawn as plain text, choices as numbered lines
  (a typed number picks one, see ``handlers.router``) or as words to type, long texts are
  split at line breaks, and a document becomes its caption and an expiring download link
  (``publish``, given by the runtime, which serves the file), or, with no public address
  configured, a note that the file is not sent on Zalo.
* A split text whose later part failed is retried from that part (remembered in memory).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

import httpx

from bot.channels.base import (
    DeliveryError,
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Unavailable,
    Unreachable,
    payload_document,
    shape,
)
from bot.channels.plaintext import draw, plain
from handlers.events import Document, EventKind, Incoming, Sender, typed_event
from handlers.typed_words import typed_word
from templates.catalog import text as catalog_text

log = logging.getLogger(__name__)

CHANNEL = "zalo"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_LENGTH = (8, 256)  # what setWebhook accepts for its secret_token
TEXT_EVENT = "message.text.received"
# The documented event names and what each carries.
EVENT_KINDS = {
    TEXT_EVENT: "text",
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "other",
}
PRIVATE, GROUP = "PRIVATE", "GROUP"  # chat.chat_type
POLL_TIMED_OUT = 408
DEFAULT_RETRY_SECONDS = 5.0
MAX_REMEMBERED_SPLITS = 1000
# Keeps a document where a link can reach it: the link and when it expires.
Publish = Callable[[Document], tuple[str, datetime]]

__all__ = [
    "ZaloChannel",
    "parse_update",
    "plain",
    "render",
    "shape",
    "split_text",
    "typed_word",
    "unwrap",
    "update_key",
]


class ZaloApiError(Exception):
    """The Zalo Bot API answered with an error."""

    def __init__(self, error_code: int, description: str, retry_after: float | None = None):
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


class ZaloChannel:
    """One bot account on Zalo."""

    name = CHANNEL

    def __init__(
        self,
        token: str,
        base_url: str,
        poll_timeout: int = 25,
        publish: Publish | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}{token}/"
        self.poll_timeout = poll_timeout
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=10.0))
        self.bot_name = ""
        self.started = False
        # Documents become download links when set (Zalo sends no files).
        self.publish = publish
        # The office's time zone, for when a download link expires (given with `publish`).
        self.zone = zone
        # Parts of split texts already delivered when a later part failed, so that the retry
        # of the outbox message sends only the rest: (chat, text digest) -> parts sent.
        self._parts_sent: dict[tuple[str, str], int] = {}

    async def start(self) -> None:
        """Check the token (getMe) and learn the bot's name."""
        me = await self.call("getMe")
        if isinstance(me, dict):
            self.bot_name = str(me.get("account_name") or me.get("display_name") or "")
        self.started = True

    async def stop(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()
        self.started = False

    async def call(
        self, method: str, body: dict[str, Any] | None = None, timeout: float | None = None
    ) -> Any:
        """Call one API method; its result, or ZaloApiError; httpx errors pass through."""
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = httpx.Timeout(timeout, connect=10.0)
        response = await self.client.post(self.url + method, json=body or {}, **extra)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ZaloApiError(response.status_code, response.reason_phrase or "not JSON")
        if answer.get("ok") is True:
            return answer.get("result")
        code = int(answer.get("error_code") or response.status_code)
        parameters = answer.get("parameters") or {}
        retry = parameters.get("retry_after") if isinstance(parameters, dict) else None
        raise ZaloApiError(
            code, str(answer.get("description", "")), None if retry is None else float(retry)
        )

    async def fetch_update(self) -> dict[str, Any] | None:
        """Long-poll for one update; None when the poll timed out with nothing new."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": self.poll_timeout}, timeout=self.poll_timeout + 10
            )
        except ZaloApiError as error:
            if error.error_code == POLL_TIMED_OUT:
                return None
            raise
        return result if isinstance(result, dict) and result else None

    async def set_webhook(self, url: str, secret: str) -> None:
        """Have Zalo post updates to `url` with `secret` in the secret header."""
        await self.call("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> None:
        """Stop webhook delivery, so that getUpdates works."""
        await self.call("deleteWebhook")

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Deliver one outbox payload as one or more plain texts; DeliveryError on failure."""
        if "callback_query_id" in payload:
            return  # Zalo has no buttons, so nothing to acknowledge
        message = render(payload, self._link(payload), self.zone)
        key = (chat_id, hashlib.sha256(message.encode()).hexdigest())
        parts = split_text(message)
        first = self._parts_sent.pop(key, 0)
        for number in range(first, len(parts)):
            try:
                await self._send_part(chat_id, parts[number])
            except DeliveryError:
                if number > 0:
                    self._remember(key, number)
                raise

    async def _send_part(self, chat_id: str, part: str) -> None:
        try:
            await self.call("sendMessage", {"chat_id": chat_id, "text": part})
        except ZaloApiError as error:
            raise _delivery_error(error) from None
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            raise Unavailable(f"{type(error).__name__}: {error}") from None
        except httpx.TimeoutException as error:
            raise OutcomeUnknown(f"{type(error).__name__}: {error}") from None
        except httpx.TransportError as error:
            raise Unavailable(f"{type(error).__name__}: {error}") from None

    def _remember(self, key: tuple[str, str], sent: int) -> None:
        # Kept in memory only: after a restart the whole message is sent again (a repeat
        # beats a loss). Bounded, oldest forgotten first.
        if len(self._parts_sent) >= MAX_REMEMBERED_SPLITS:
            self._parts_sent.pop(next(iter(self._parts_sent)))
        self._parts_sent[key] = sent

    def _link(self, payload: dict[str, Any]) -> tuple[str, datetime] | None:
        """The download link of the payload's document, if it has one and links are on."""
        document = payload_document(payload)
        if document is None or self.publish is None:
            return None
        return self.publish(document)


def _delivery_error(error: ZaloApiError) -> Exception:
    code = error.error_code
    if code == 429:
        return RetryLater(error.retry_after or DEFAULT_RETRY_SECONDS)
    if code == 403:
        return Unreachable(str(error))
    if code == 400:
        return Rejected(str(error))
    return Unavailable(str(error))


# ------------------------------------------------------------------------------ rendering


def render(
    payload: dict[str, Any],
    link: tuple[str, datetime] | None = None,
    zone: tzinfo | None = None,
) -> str:
    """An outbox payload as one plain text: the message, then its choices, or a document's
    caption and its download `link` (url, expiry shown in `zone`, the office's), or a note
    that files are not sent here."""

    def announced(document: Document) -> str:
        if link is not None:
            url, expires = link
            note = catalog_text(
                "chat.zalo_download",
                file_name=document.file_name,
                url=url,
                expires=expires,
                zone=zone,
            )
        else:
            note = catalog_text("chat.zalo_file_elsewhere", file_name=document.file_name)
        return "\n\n".join(plain(part) for part in (document.caption, note) if part)

    return draw(payload, announced)


def split_text(message: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut a text into parts of at most `limit` characters at line breaks.

    A line is cut only when it alone is longer than `limit` (at a space if it has one).
    Blank lines at the edges of a part are dropped; an empty text gives no parts.
    """
    parts: list[str] = []
    lines: list[str] = []
    size = 0
    for line in message.split("\n"):
        for piece in _cut_line(line, limit):
            added = len(piece) + (1 if lines else 0)
            if lines and size + added > limit:
                parts.append("\n".join(lines))
                lines, size, added = [], 0, len(piece)
            lines.append(piece)
            size += added
    parts.append("\n".join(lines))
    return [part.strip("\n") for part in parts if part.strip()]


def _cut_line(line: str, limit: int) -> list[str]:
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 1, limit + 1)
        cut = limit if cut <= 0 else cut
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


# ------------------------------------------------------------------------------ receiving


def unwrap(body: dict[str, Any]) -> dict[str, Any] | None:
    """The update in a body Zalo posted to the webhook: the documented ``{"ok": true,
    "result": update}`` or the bare update; None for anything else."""
    if _is_update(body):
        return body
    result = body.get("result")
    if body.get("ok") is True and isinstance(result, dict) and _is_update(result):
        return result
    return None


def _is_update(value: dict[str, Any]) -> bool:
    return isinstance(value.get("message"), dict) or isinstance(value.get("event_name"), str)


def update_key(update: dict[str, Any]) -> str | None:
    """The id the inbox keeps an update under: its message id (Zalo updates have no id of
    their own); None if it has none."""
    message = update.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    return None if message_id is None else str(message_id)


def parse_update(update: dict[str, Any]) -> Incoming | None:
    """A stored Zalo update as a channel-neutral event; None for what we ignore."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat, user = message.get("chat") or {}, message.get("from") or {}
    if "id" not in user:
        return None
    chat_id = str(chat.get("id", user["id"]))
    # Documented samples name the sender by display_name, one by first_name.
    name = str(user.get("display_name") or user.get("first_name") or user.get("name") or "")
    private = str(chat.get("chat_type") or PRIVATE).upper() != GROUP
    sender = Sender(CHANNEL, str(user["id"]), chat_id, name, private)
    when = datetime.fromtimestamp(int(message.get("date") or 0) / 1000, UTC)
    ref = f"zalo:{chat_id}:{message.get('message_id')}"
    kind = _kind(update.get("event_name"), message)
    if kind == "text":
        return typed_event(sender, str(message.get("text") or ""), when, ref)
    return Incoming(sender, EventKind.UNREADABLE, when, text=kind, message_ref=ref)


def _kind(event_name: object, message: dict[str, Any]) -> str:
    """What was sent: "text", "photo", "sticker", "voice" or "other". getUpdates' documented
    sample has no event_name: then the message's fields tell."""
    if isinstance(event_name, str) and event_name:
        return EVENT_KINDS.get(event_name, "other")
    if isinstance(message.get("text"), str):
        return "text"
    if "photo_url" in message or "photo" in message:
        return "photo"
    return "sticker" if "sticker" in message else "other"
