"""The records the fake keeps: what the bot sent, the calls it made, files, updates, faults."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.demo.telegram_api.protocol import JSON


@dataclass
class SentMessage:
    """A message the bot sent (snapshot; call ``sent_to`` again to see later edits).

    ``text`` is exactly what the bot passed (markup included); ``plain_text`` is what the user
    sees (Telegram's ``Message.text``/``caption`` after entity parsing and trimming).
    ``buttons`` are the keyboard rows as ``(text, callback_data)`` pairs (``callback_data`` is
    ``None`` for url / reply-keyboard buttons).
    """

    chat_id: int
    message_id: int
    method: str
    text: str | None
    parse_mode: str | None
    plain_text: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    buttons: list[list[tuple[str, str | None]]]
    date: int
    sent_at: float
    caption: str | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    document_mime: str | None = None
    file_id: str | None = None
    reply_to_message_id: int | None = None
    edited_at: float | None = None
    edit_history: list[str | None] = field(default_factory=list)
    deleted: bool = False
    params: JSON = field(default_factory=dict)

    @property
    def button_texts(self) -> list[str]:
        """All button labels, row by row."""
        return [text for row in self.buttons for text, _ in row]

    def callback_data_for(self, label: str) -> str:
        """The callback_data of the button labelled ``label`` (KeyError if none)."""
        for row in self.buttons:
            for text, data in row:
                if text == label and data is not None:
                    return data
        raise KeyError(f"no callback button {label!r} in {self.buttons!r}")

    def button_starting(self, start: str) -> str | None:
        """The callback_data of the first button whose label starts with ``start``; or None."""
        for row in self.buttons:
            for text, data in row:
                if text.startswith(start) and data is not None:
                    return data
        return None

    @property
    def shown(self) -> str:
        """What the user reads: the plain text or caption ("" for a bare file)."""
        return self.plain_text or ""


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made to the fake, with its outcome."""

    method: str
    params: JSON
    status: int
    description: str | None
    at: float


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call made by the bot."""

    callback_query_id: str
    update_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    at: float


class FakeTelegramTimeout(AssertionError):
    """A ``wait_for_*`` helper gave up; the message says what was seen instead."""


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes
    content_type: str | None


@dataclass
class StoredFile:
    """A file the fake holds (sent by the bot or a user), downloadable by path."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes


@dataclass
class UpdateRecord:
    """An update and how often it was delivered."""

    update: JSON
    delivered: int = 0
    # The update is kept (despite offset confirmations) until delivered this many times.
    min_deliveries: int = 0

    @property
    def update_id(self) -> int:
        """The update's id."""
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        """The update's type: message, callback_query, ..."""
        return next(key for key in self.update if key != "update_id")


@dataclass
class Fault:
    """An error answer queued by ``fail_next``."""

    status: int
    description: str
    parameters: JSON | None


@dataclass
class FloodLimits:
    """Telegram's flood limits, when ``enforce_limits`` is on."""

    per_chat_per_sec: float
    global_per_sec: float
    group_per_min: float


def buttons_of(markup: JSON | None) -> list[list[tuple[str, str | None]]]:
    """A keyboard's rows as (label, callback_data) pairs; None for url or reply buttons."""
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [
            [(b["text"], b.get("callback_data")) for b in row] for row in markup["inline_keyboard"]
        ]
    if "keyboard" in markup:
        return [
            [(b if isinstance(b, str) else b.get("text", ""), None) for b in row]
            for row in markup["keyboard"]
        ]
    return []


def loggable(params: JSON) -> JSON:
    """The call's parameters with uploaded files summarised, for the call log."""
    return {
        k: (f"<file {v.filename!r}, {len(v.content)} bytes>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }
