"""Telegram through python-telegram-bot's Bot: fetching updates, parsing them, sending."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.channels.aiohttp_request import AiohttpRequest
from bot.channels.base import (
    FileTooLarge,
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Unavailable,
    Unreachable,
    payload_choices,
    payload_document,
)
from bot.channels.plaintext import plain
from handlers.events import EventKind, Incoming, Sender, typed_event

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "callback_query")
CAPTION_LIMIT = 1024
T = TypeVar("T")
# How much longer than the long poll itself a getUpdates may take before it counts as lost.
POLL_READ_MARGIN = 10.0


class TelegramChannel:
    """One bot account on Telegram."""

    name = CHANNEL

    def __init__(self, token: str, base_url: str, poll_timeout: int = 25) -> None:
        # Telegram serves files under /file/bot<token>/ beside the /bot<token>/ methods.
        file_url = base_url.removesuffix("/bot") + "/file/bot"
        self.poll_timeout = poll_timeout
        self._requests = (
            AiohttpRequest(connection_pool_size=64, read_timeout=15, connect_timeout=10),
            AiohttpRequest(connection_pool_size=2),
        )
        self.bot = Bot(
            token,
            base_url=base_url,
            base_file_url=file_url,
            request=self._requests[0],
            get_updates_request=self._requests[1],
        )
        self.username = ""
        self.started = False

    async def start(self) -> None:
        """Check the token (getMe) and learn the bot's username."""
        try:
            await self.bot.initialize()
        except BaseException:
            await self._close_requests()  # nobody calls stop() after a failed start
            raise
        self.username = self.bot.username
        self.started = True

    async def stop(self) -> None:
        """Close the HTTP clients."""
        await self.bot.shutdown()
        # Bot.shutdown skips them when start() failed (a rejected token), leaving them open.
        await self._close_requests()
        self.started = False

    async def _close_requests(self) -> None:
        for request in self._requests:
            await request.shutdown()

    async def register_commands(
        self, commands: list[tuple[str, str]], chat_ids: Sequence[str] = ()
    ) -> None:
        """setMyCommands with Vietnamese descriptions: for every chat, or (given `chat_ids`)
        for each of those private chats. A chat Telegram refuses keeps everyone's menu, with
        a warning: a person who never opened the bot has no chat with it yet."""
        menu = [BotCommand(name, about) for name, about in commands]
        if not chat_ids:
            await self.bot.set_my_commands(menu)
            return
        for chat_id in chat_ids:
            try:
                await self.bot.set_my_commands(menu, scope=BotCommandScopeChat(int(chat_id)))
            except (BadRequest, Forbidden) as error:
                log.warning("Telegram menu of chat %s not set: %s", chat_id, error)

    async def fetch_updates(
        self, offset: int | None, timeout: int | None = None
    ) -> list[dict[str, Any]]:
        """Long-poll for updates after `offset` (for `timeout` seconds, the channel's poll
        timeout unless given); calling with a higher offset confirms them."""
        timeout = self.poll_timeout if timeout is None else timeout
        params: dict[str, Any] = {
            "timeout": timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        if offset is not None:
            params["offset"] = offset
        updates = await _call(
            self.bot, "getUpdates", params, read_timeout=timeout + POLL_READ_MARGIN
        )
        return list(updates)

    async def send(self, chat_id: str, payload: dict[str, Any]) -> str | None:
        """Deliver one outbox payload (a message, a document, or a callback answer); the
        message_id Telegram gave the message (None for a callback answer)."""
        return await _mapped(self._send(chat_id, payload))

    async def download(self, file_id: str, max_bytes: int | None = None) -> bytearray:
        """The content of a file a user sent (getFile, then the file's URL); FileTooLarge,
        without downloading it, when Telegram says it is larger than `max_bytes`."""

        async def fetch() -> bytearray:
            try:
                found = await self.bot.get_file(file_id)
            except BadRequest as error:
                # Telegram hands bots files of up to 20 MB; it says so of a larger one.
                if "too big" in str(error).lower():
                    raise FileTooLarge(0) from None
                raise
            if max_bytes is not None and (found.file_size or 0) > max_bytes:
                raise FileTooLarge(found.file_size or 0)
            # Kept as downloaded: a bytes() copy would hold the file twice.
            content = await found.download_as_bytearray()
            if max_bytes is not None and len(content) > max_bytes:  # no size was declared
                raise FileTooLarge(len(content))
            return content

        return await _mapped(fetch())

    async def _send(self, chat_id: str, payload: dict[str, Any]) -> str | None:
        if "callback_query_id" in payload:
            query = {"callback_query_id": payload["callback_query_id"]}
            await _call(self.bot, "answerCallbackQuery", query)
            return None
        document = payload_document(payload)
        if document is not None:
            # Captions are limited to 1024 characters: a longer one follows as a message.
            fits = len(document.caption) <= CAPTION_LIMIT
            sent = await self.bot.send_document(
                chat_id,
                document.content,
                filename=document.file_name,
                caption=(document.caption if fits else None) or None,
                parse_mode=ParseMode.HTML,
            )
            if not fits:
                await self.bot.send_message(chat_id, document.caption, parse_mode=ParseMode.HTML)
            return str(sent.message_id)
        params: dict[str, Any] = {
            "chat_id": chat_id,
            "text": payload["text"],
            "parse_mode": ParseMode.HTML.value,
        }
        rows = payload_choices(payload)
        if rows:
            params["reply_markup"] = {
                "inline_keyboard": [
                    # Labels are in the HTML subset like texts, but Telegram shows them as written.
                    [{"text": plain(c.label), "callback_data": c.data} for c in row]
                    for row in rows
                ]
            }
        return _message_id(await _call(self.bot, "sendMessage", params))


def _message_id(result: Any) -> str | None:
    """The message_id of a sent Message's JSON (None if the answer has none)."""
    found = result.get("message_id") if isinstance(result, dict) else None
    return None if found is None else str(found)


async def _call(
    bot: Bot, endpoint: str, params: dict[str, Any], read_timeout: float | None = None
) -> Any:
    """Call a Bot API method; the answer's `result` JSON as it came.

    `send_message` and `get_updates` build a Message or Update object out of every answer,
    which costs about as much CPU as the HTTP request itself, and the bot reads neither
    (updates are stored as JSON). `Bot._post` is the path under all of PTB's methods and
    under `do_api_request` (which would do, but warns for every method PTB has a name for),
    with the same errors: RetryAfter, Forbidden, BadRequest, TimedOut, NetworkError.
    """
    if read_timeout is None:
        return await bot._post(endpoint, params)
    return await bot._post(endpoint, params, read_timeout=read_timeout)


async def _mapped(work: Awaitable[T]) -> T:
    """Await a Bot API call, its errors as the channel-neutral DeliveryError kinds."""
    try:
        return await work
    except RetryAfter as error:
        with warnings.catch_warnings():
            # PTB 22.2+ warns that retry_after becomes a timedelta; both kinds are read below.
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            retry = error.retry_after
        seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
        raise RetryLater(seconds) from None
    except Forbidden as error:
        raise Unreachable(str(error)) from None
    except BadRequest as error:
        raise Rejected(str(error)) from None
    except TimedOut as error:
        raise OutcomeUnknown(str(error)) from None
    except NetworkError as error:
        raise Unavailable(str(error)) from None


def update_key(update: dict[str, Any]) -> str | None:
    """The id the inbox keeps an update under (its update_id); None if it has none."""
    key = update.get("update_id")
    return None if key is None else str(key)


def parse_update(update: dict[str, Any]) -> Incoming | None:
    """A stored Telegram update as a channel-neutral event; None for what we ignore."""
    message = update.get("message")
    query = update.get("callback_query")
    if query is not None:
        chat = (query.get("message") or {}).get("chat") or {"id": query["from"]["id"]}
        return Incoming(
            sender=_sender(query["from"], chat),
            kind=EventKind.BUTTON,
            received_at=datetime.now(UTC),
            button=str(query.get("data") or ""),
            message_ref=f"telegram:{update['update_id']}",
            ack_id=str(query["id"]),
        )
    if message is None or "from" not in message:
        return None
    sender = _sender(message["from"], message["chat"])
    when = datetime.fromtimestamp(message.get("date", 0), UTC)
    ref = f"telegram:{message['chat']['id']}:{message.get('message_id')}"
    text = message.get("text") or ""
    if "document" in message:
        return Incoming(
            sender=sender,
            kind=EventKind.DOCUMENT,
            received_at=when,
            file_name=message["document"].get("file_name", ""),
            message_ref=ref,
            text=message["document"].get("file_id", ""),
        )
    if "text" in message:
        return typed_event(sender, text, when, ref, _replied_to(message))
    kind = next((kind for key, kind in UNREADABLE.items() if key in message), None)
    if kind is None:
        return None  # a service message (someone joined a group, a pin...): nothing said
    return Incoming(sender, EventKind.UNREADABLE, when, text=kind, message_ref=ref)


def _replied_to(message: dict[str, Any]) -> str:
    """The message_id of the bot's message this one replies to; "" if it replies to none,
    or to a person's message (only the bot's messages ask questions)."""
    replied = message.get("reply_to_message")
    if not isinstance(replied, dict) or not (replied.get("from") or {}).get("is_bot"):
        return ""
    found = replied.get("message_id")
    return "" if found is None else str(found)


# What a message without text carries, as the kinds of unreadable message handlers know.
UNREADABLE = {
    "photo": "photo",
    "sticker": "sticker",
    "voice": "voice",
    "audio": "voice",
    "video_note": "voice",
    "video": "other",
    "animation": "other",
    "location": "other",
    "contact": "other",
    "poll": "other",
    "dice": "other",
}


def _sender(user: dict[str, Any], chat: dict[str, Any]) -> Sender:
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
    # A chat of unknown type is private only if it is the person's own (groups have others).
    private = chat.get("type", "private" if chat["id"] == user["id"] else "") == "private"
    return Sender(
        CHANNEL, str(user["id"]), str(chat["id"]), name or user.get("username", ""), private
    )
