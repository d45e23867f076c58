"""A local fake of the Telegram Bot API for end-to-end tests.

The fake is a real HTTP server on 127.0.0.1 (stdlib ``ThreadingHTTPServer`` in a background
thread) that speaks the Bot API wire protocol, so the real program -- python-telegram-bot's own
HTTP client included -- talks to it exactly as it would talk to ``api.telegram.org``::

    with FakeTelegramServer() as server:
        bot = telegram.Bot(server.token, base_url=server.base_url,
                           base_file_url=server.base_file_url)

Tests play the users (``user_sends_text``, ``user_presses_button``, ...), read what the bot sent
(``sent_to``, ``wait_for_messages``) and inject faults (``block_chat``, ``fail_next``,
``delay_next``, ``enforce_limits``, ``redeliver``).

Everything the fake knows about the Bot API is copied into this module; it never reads
reference files at run time.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import json
import math
import mimetypes
import re
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "ApiCall",
    "CallbackAnswer",
    "EntityParseError",
    "FakeTelegramServer",
    "FakeTelegramTimeout",
    "SentMessage",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]

T = TypeVar("T")
JSON = dict[str, Any]

#: The bot user returned by getMe; its id is the numeric prefix of the token, as on Telegram.
BOT_USER: JSON = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Báo cáo",
    "username": "baocao_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
#: A well-formed token (``<bot id>:<35 chars>``) accepted by the fake by default.
DEFAULT_TOKEN = "123456:AAFakeBaocaoTestToken0123456789abc"

# Limits of the Bot API (https://core.telegram.org/bots/api).
MAX_TEXT_LENGTH = 4096  # sendMessage / editMessageText, after entity parsing
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_COMMANDS = 100
WEBHOOK_PORTS = {80, 88, 443, 8443}
# Update types delivered when allowed_updates is empty / not specified.
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
# Methods whose successful calls count towards flood limits when enforce_limits() is on.
RATE_LIMITED_METHODS = frozenset({"sendMessage", "sendDocument"})
_HTTP_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_COMMAND_RE = re.compile(r"(?<![\w/@])/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,32})?(?![\w/])")


# --------------------------------------------------------------------------------------------
# Records handed to tests
# --------------------------------------------------------------------------------------------


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


class EntityParseError(ValueError):
    """The text is not valid for its parse_mode (Telegram: "can't parse entities")."""


class _ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _ClientGone(Exception):
    """The client closed the connection while its long poll was waiting."""


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class _UploadedFile:
    filename: str | None
    content: bytes
    content_type: str | None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes


@dataclass
class _UpdateRecord:
    update: JSON
    delivered: int = 0
    # The update is kept (despite offset confirmations) until delivered this many times.
    min_deliveries: int = 0

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


@dataclass
class _Fault:
    status: int
    description: str
    parameters: JSON | None


@dataclass
class _Limits:
    per_chat_per_sec: float
    global_per_sec: float
    group_per_min: float


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) -- modelled on tdlib's parsers used by the Bot API
# --------------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and text limits."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{1,10});")
_TAG_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[index] == '&'`` -> (char, length)."""
    match = _HTML_ENTITY_RE.match(text, index)
    if not match:
        return None
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end() - index
    char = _HTML_ENTITIES.get(name)
    return (char, match.end() - index) if char else None


class _TextBuilder:
    """Accumulates parsed text and entities (offsets in UTF-16 code units)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSON] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def finish(self) -> tuple[str, list[JSON]]:
        return _trim("".join(self.parts), self.entities)


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        kept = entities
    else:
        lead = utf16_len(text[: len(text) - len(text.lstrip())])
        end = lead + utf16_len(stripped)
        kept = []
        for entity in entities:
            start = max(entity["offset"], lead)
            stop = min(entity["offset"] + entity["length"], end)
            if stop > start:
                kept.append({**entity, "offset": start - lead, "length": stop - start})
    kept = sorted(kept, key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-HTML into (plain text, entities); raise EntityParseError if invalid.

    Accepted tags are Telegram's: b/strong, i/em, u/ins, s/strike/del, tg-spoiler,
    span class="tg-spoiler", a href, code, pre (optionally with <code class="language-x">) and
    blockquote [expandable]. Entities &lt; &gt; &amp; &quot; and numeric ones are decoded.
    With ``strict`` (the default) a bare ``&`` or ``>`` is an error too (Telegram tolerates
    them, but they betray text that was not escaped); ``<`` is always an error, as on Telegram.
    """
    out = _TextBuilder()
    stack: list[tuple[str, int, JSON]] = []  # (tag, start offset, entity extras)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded:
                out.add(decoded[0])
                i += decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f"Character '&' at byte offset {_byte_offset(text, i)} must be escaped as &amp;"
                )
        elif char == ">" and strict:
            raise EntityParseError(
                f"Character '>' at byte offset {_byte_offset(text, i)} must be escaped as &gt;"
            )
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            close = text.find(">", i)
            if close == -1:
                raise EntityParseError(
                    f"Can't find end tag corresponding to start tag at byte offset "
                    f"{_byte_offset(text, begin)}"
                )
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            tag, start, opened = stack.pop()
            if name != tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, opened)
            i = close + 1
            continue
        match = _TAG_NAME_RE.match(text, i + 1)
        assert match is not None
        name = match.group(0).lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        attrs, i = _parse_html_attributes(text, match.end(), name, begin)
        extra: JSON = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "a":
            extra["url"] = attrs.get("href", "")
        if name == "code" and stack and stack[-1][0] == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                extra["language"] = language[len("language-") :]
        if name == "blockquote" and "expandable" in attrs:
            extra["expandable"] = True
        stack.append((name, out.pos, extra))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.finish()


def _parse_html_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to the closing '>' of a start tag -> (attrs, index after '>')."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return attrs, i + 1
        match = _ATTR_NAME_RE.match(text, i)
        if not match:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, i)}'
            )
        attr = match.group(0).lower()
        i = match.end()
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end == -1:
                    raise EntityParseError(
                        f'Unclosed end of an attribute value of the tag "{tag}" at byte '
                        f"offset {_byte_offset(text, i)}"
                    )
                raw, i = text[i + 1 : end], end + 1
            else:
                start = i
                while i < n and not text[i].isspace() and text[i] != ">":
                    i += 1
                raw = text[start:i]
            attrs[attr] = _unescape_html(raw)
        else:
            attrs[attr] = ""


def _unescape_html(raw: str) -> str:
    parts, i = [], 0
    while i < len(raw):
        decoded = _decode_html_entity(raw, i) if raw[i] == "&" else None
        if decoded:
            parts.append(decoded[0])
            i += decoded[1]
        else:
            parts.append(raw[i])
            i += 1
    return "".join(parts)


def _close_html_tag(
    out: _TextBuilder, stack: list[tuple[str, int, JSON]], tag: str, start: int, extra: JSON
) -> None:
    kind = _HTML_TAGS[tag]
    if tag == "code" and stack and stack[-1][0] == "pre":
        if "language" in extra:
            stack[-1][2]["language"] = extra["language"]
        return  # <pre><code>...</code></pre> is a single pre entity
    if kind == "text_link":
        url = extra.get("url", "")
        match = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if match:
            out.entity("text_mention", start, user={"id": int(match.group(1))})
        elif url:
            out.entity("text_link", start, url=url)
        return
    if kind == "blockquote" and extra.get("expandable"):
        out.entity("expandable_blockquote", start)
        return
    out.entity(kind, start, **extra)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}
_MDV2_TOKENS = [
    ("||", "spoiler"),
    ("__", "underline"),
    ("```", "pre"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
]


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Parse MarkdownV2 into (plain text, entities); raise EntityParseError if invalid.

    Enforces Telegram's main rule: the characters ``_*[]()~`>#+-=|{}.!`` must be escaped with
    a preceding backslash unless they are entity delimiters, and every entity must be closed.
    """
    out = _TextBuilder()
    stack: list[tuple[str, str, int, int, JSON]] = []  # (kind, token, start, byte offset, extra)
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if at_line_start and not in_code:
            if char == ">":
                if quote_start is None:
                    quote_start = out.pos
                i += 1
                continue
            if quote_start is not None:
                out.entities.append(
                    {
                        "type": "blockquote",
                        "offset": quote_start,
                        "length": out.pos - 1 - quote_start,
                    }
                )
                quote_start = None
        if in_code:
            kind, token = stack[-1][0], stack[-1][1]
            if char == "\\" and i + 1 < n and text[i + 1] in "`\\":
                out.add(text[i + 1])
                i += 2
            elif text.startswith(token, i):
                _, _, start, _, code_extra = stack.pop()
                out.entity(kind, start, **code_extra)
                i += len(token)
            else:
                out.add(char)
                i += 1
            continue
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if char not in _MDV2_RESERVED:
            out.add(char)
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "text_link":
            _, _, start, _, _ = stack.pop()
            i = _close_markdown_link(text, i, out, start)
            continue
        if char == "[":
            stack.append(("text_link", "]", out.pos, _byte_offset(text, i), {}))
            i += 1
            continue
        found = next(((t, k) for t, k in _MDV2_TOKENS if text.startswith(t, i)), None)
        if found is None:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        token, kind = found
        if stack and stack[-1][1] == token:
            _, _, start, _, closed_extra = stack.pop()
            out.entity(kind, start, **closed_extra)
            i += len(token)
            continue
        begin = i
        i += len(token)
        extra: JSON = {}
        if kind == "pre":
            newline = text.find("\n", i)
            if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+#.-]*", text[i:newline]):
                if newline > i:
                    extra["language"] = text[i:newline]
                i = newline + 1
        stack.append((kind, token, out.pos, _byte_offset(text, begin), extra))
    if stack:
        kind, _, _, offset, _ = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {offset}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.finish()


def _close_markdown_link(text: str, i: int, out: _TextBuilder, start: int) -> int:
    """Handle ``](url)`` after a link text; return the index after it."""
    i += 1
    if i >= len(text) or text[i] != "(":
        return i  # "[text]" without a URL is plain text
    url_chars, i = [], i + 1
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        url_chars.append(text[i])
        i += 1
    if i >= len(text):
        raise EntityParseError("Can't find end of a URL")
    out.entity("text_link", start, url="".join(url_chars))
    return i + 1


def parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, ```code```, ``[text](url)``)."""
    out = _TextBuilder()
    i, n = 0, len(text)
    delimiters = {"*": "bold", "_": "italic"}
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "*_`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "*_`[":
            out.add(char)
            i += 1
            continue
        begin = _byte_offset(text, i)
        error = EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if char == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close != -1 else -1
            if close == -1 or end == -1:
                raise error
            start = out.pos
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : end])
            i = end + 1
            continue
        token = "```" if text.startswith("```", i) else char
        end = text.find(token, i + len(token))
        if end == -1:
            raise error
        start = out.pos
        body = text[i + len(token) : end]
        if token == "```":
            first, sep, rest = body.partition("\n")
            language = first if sep and re.fullmatch(r"[A-Za-z0-9_+#.-]+", first) else None
            out.add(rest if language else body)
            out.entity("pre", start, **({"language": language} if language else {}))
        else:
            out.add(body)
            out.entity(delimiters.get(char, "code"), start)
        i = end + len(token)
    return out.finish()


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------


def _split_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="x"; filename="y"`` -> ("form-data", {...})."""
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in re.finditer(r'\s*([\w*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*;?', rest):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):  # RFC 2231/5987: utf-8''percent-encoded
            key = key[:-1]
            _, _, raw = raw.partition("''")
            raw = unquote(raw)
        elif key == "filename":
            raw = raw.replace("%22", '"').replace("%0D", "\r").replace("%0A", "\n")
        params.setdefault(key, raw)
    return main.strip().lower(), params


def _parse_multipart(body: bytes, boundary: str) -> tuple[JSON, dict[str, _UploadedFile]]:
    """Decode a multipart/form-data body into (text fields, file parts)."""
    fields: JSON = {}
    files: dict[str, _UploadedFile] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for chunk in (b"\r\n" + body).split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n")
        head, _, content = chunk.partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        _, disposition = _split_header_params(headers.get("content-disposition", ""))
        part = disposition.get("name")
        if not part:
            continue
        if "filename" in disposition:
            files[part] = _UploadedFile(
                disposition["filename"], content, headers.get("content-type")
            )
        else:
            fields[part] = content.decode("utf-8", "replace")
    return fields, files


# Parameter kinds per method: "int", "num", "bool", "str", "json", "chat", "file".
_PARAMS: dict[str, dict[str, str]] = {
    "getMe": {},
    "logOut": {},
    "close": {},
    "getUpdates": {"offset": "int", "limit": "int", "timeout": "num", "allowed_updates": "json"},
    "setWebhook": {
        "url": "str",
        "certificate": "file",
        "ip_address": "str",
        "max_connections": "int",
        "allowed_updates": "json",
        "drop_pending_updates": "bool",
        "secret_token": "str",
    },
    "deleteWebhook": {"drop_pending_updates": "bool"},
    "getWebhookInfo": {},
    "sendMessage": {
        "chat_id": "chat",
        "message_thread_id": "int",
        "text": "str",
        "parse_mode": "str",
        "entities": "json",
        "link_preview_options": "json",
        "disable_web_page_preview": "bool",
        "disable_notification": "bool",
        "protect_content": "bool",
        "reply_parameters": "json",
        "reply_to_message_id": "int",
        "allow_sending_without_reply": "bool",
        "reply_markup": "json",
    },
    "editMessageText": {
        "chat_id": "chat",
        "message_id": "int",
        "inline_message_id": "str",
        "text": "str",
        "parse_mode": "str",
        "entities": "json",
        "link_preview_options": "json",
        "disable_web_page_preview": "bool",
        "reply_markup": "json",
    },
    "editMessageReplyMarkup": {
        "chat_id": "chat",
        "message_id": "int",
        "inline_message_id": "str",
        "reply_markup": "json",
    },
    "answerCallbackQuery": {
        "callback_query_id": "str",
        "text": "str",
        "show_alert": "bool",
        "url": "str",
        "cache_time": "int",
    },
    "sendDocument": {
        "chat_id": "chat",
        "message_thread_id": "int",
        "document": "file",
        "thumbnail": "file",
        "caption": "str",
        "parse_mode": "str",
        "caption_entities": "json",
        "disable_content_type_detection": "bool",
        "disable_notification": "bool",
        "protect_content": "bool",
        "reply_parameters": "json",
        "reply_to_message_id": "int",
        "allow_sending_without_reply": "bool",
        "reply_markup": "json",
    },
    "getFile": {"file_id": "str"},
    "setMyCommands": {"commands": "json", "scope": "json", "language_code": "str"},
    "getMyCommands": {"scope": "json", "language_code": "str"},
    "deleteMyCommands": {"scope": "json", "language_code": "str"},
    "deleteMessage": {"chat_id": "chat", "message_id": "int"},
    "sendChatAction": {"chat_id": "chat", "action": "str", "message_thread_id": "int"},
    "getChat": {"chat_id": "chat"},
    "setChatMenuButton": {"chat_id": "int", "menu_button": "json"},
    "getChatMenuButton": {"chat_id": "int"},
}
_METHODS_BY_LOWER = {name.lower(): name for name in _PARAMS}
# Methods that address a chat and are refused (403) when the user blocked the bot.
_CHAT_SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendChatAction", "editMessageText", "editMessageReplyMarkup"}
)


def _coerce(method: str, params: JSON, files: dict[str, _UploadedFile]) -> JSON:
    """Convert raw parameters (strings from forms, typed values from JSON) to Python values."""
    kinds = _PARAMS[method]
    result: JSON = {}
    for name, value in params.items():
        kind = kinds.get(name)
        if kind is None:
            result[name] = value  # unknown parameters are ignored by Telegram; keep for tests
        elif kind == "file":
            result[name] = _attached(value, files)
        else:
            result[name] = _coerce_value(name, value, kind)
    for name, upload in files.items():
        if kinds.get(name) == "file" and name not in result:
            result[name] = upload
    return result


def _attached(value: Any, files: dict[str, _UploadedFile]) -> Any:
    if isinstance(value, str) and value.startswith("attach://"):
        upload = files.get(value[len("attach://") :])
        if upload is None:
            raise _bad(f"file {value} not found in the request")
        return upload
    return value


def _coerce_value(name: str, value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "str":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                if name == "reply_markup":
                    raise _bad("can't parse reply keyboard markup JSON object") from None
                raise _bad(f"can't parse {name} JSON object") from None
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0", ""):
            return False
        raise _bad(f"invalid {name} specified")
    if kind == "num":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad(f"invalid {name} specified") from None
    # int / chat
    if isinstance(value, bool):
        raise _bad(f"invalid {name} specified")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "chat":
        if text.startswith("@") or text == "":
            return text
        raise _bad("chat not found")
    raise _bad(f"invalid {name} specified")


# --------------------------------------------------------------------------------------------
# The fake server
# --------------------------------------------------------------------------------------------


class FakeTelegramServer:
    """A faithful local Bot API server; use as a context manager or via the ``fake_telegram``
    pytest fixture.

    ``strict_html``: reject a bare ``&``/``>`` in HTML texts (Telegram accepts them; on by
    default to catch unescaped user data). ``strict_chats``: answer "chat not found" for chats
    that never wrote to the bot (see ``register_chat``), as Telegram does; off by default.

    Public attributes: ``url``, ``token``, ``bot_user``, ``webhook`` (url, secret_token, ...
    of the last setWebhook), ``chat_actions`` ((chat_id, action, time) tuples), ``count_429``
    and ``count_409`` (error answers given), ``get_updates_calls`` and ``internal_errors``
    (bugs of the fake itself; the fixture fails the test on them).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        strict_html: bool = True,
        strict_chats: bool = False,
    ) -> None:
        if not _TOKEN_RE.match(token):
            raise ValueError(f"malformed bot token {token!r}")
        self.token = token
        self.bot_user: JSON = {**BOT_USER, "id": int(token.split(":", 1)[0])}
        self.strict_html = strict_html
        self.strict_chats = strict_chats
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""
        self.port = 0
        # Updates
        self._update_ids = itertools.count(100001)
        self._updates: dict[int, _UpdateRecord] = {}  # every update ever created
        self._pending: dict[int, _UpdateRecord] = {}  # not yet confirmed
        self._confirmed: list[int] = []
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._polls_waiting = 0
        self.get_updates_calls = 0
        self.count_409 = 0
        # Webhook
        self.webhook: JSON = {}
        # Chats and messages
        self._users: dict[int, JSON] = {}
        self._chat_titles: dict[int, str] = {}
        self._known_chats: set[int] = set()
        self._blocked: set[int] = set()
        self._next_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSON] = {}  # Message objects, user and bot
        self._deleted: set[tuple[int, int]] = set()
        self._sent: list[SentMessage] = []
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self.chat_actions: list[tuple[int, str, float]] = []
        # Callback queries
        self._callback_ids = itertools.count(7_000_000_000_000_001)
        self._callback_queries: dict[str, JSON] = {}
        self._callback_answers: list[CallbackAnswer] = []
        # Files
        self._file_counter = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        # Bot settings
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        # Calls, faults, limits
        self._calls: list[ApiCall] = []
        self._unexpected: list[ApiCall] = []
        self._allow_unexpected: set[str] | None = set()
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._limits: _Limits | None = None
        self._send_log: deque[tuple[float, int]] = deque()
        self.count_429 = 0
        self.internal_errors: list[str] = []
        self._termination_reason = ""

    # ---- lifecycle ------------------------------------------------------------------------

    def start(self, port: int = 0) -> FakeTelegramServer:
        """Start serving on 127.0.0.1 (idempotent); returns self.

        ``port`` 0 takes a free port; after ``stop()`` pass the old one (``self.port``) to
        come back where the bot looks, as Telegram does after an outage. Updates, chats and
        calls are kept across a stop and start.
        """
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer(("127.0.0.1", port), _Handler, self)
        port = self._httpd.server_address[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-telegram-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server, wake long polls and close open connections."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeTelegramServer:
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Value for ``Bot(base_url=...)`` / ``ApplicationBuilder().base_url(...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``Bot(base_file_url=...)`` / ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    def make_bot(self, token: str | None = None, **kwargs: Any) -> Any:
        """A ``telegram.Bot`` pointed at this server (``token`` defaults to the valid one)."""
        import telegram

        return telegram.Bot(
            token or self.token,
            base_url=self.base_url,
            base_file_url=self.base_file_url,
            **kwargs,
        )

    def application_builder(self) -> Any:
        """A ``telegram.ext.ApplicationBuilder`` with token and URLs of this server set."""
        from telegram.ext import ApplicationBuilder

        return (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )

    # ---- users act ------------------------------------------------------------------------

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str = "vi",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> int:
        """A user writes ``text`` (private chat unless ``chat_id`` is a group); -> update_id.

        Like Telegram, ``/command`` tokens get ``bot_command`` entities.
        """
        with self._cond:
            message = self._new_user_message(
                user_id,
                chat_id,
                first_name=first_name,
                username=username,
                last_name=last_name,
                language_code=language_code,
                chat_title=chat_title,
                reply_to_message_id=reply_to_message_id,
            )
            message["text"] = text
            entities = [
                {
                    "type": "bot_command",
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group(0)),
                }
                for m in _COMMAND_RE.finditer(text)
            ]
            if entities:
                message["entities"] = entities
            return self._push_update({"message": message})

    def user_sends_command(
        self,
        user_id: int,
        command: str,
        args: str = "",
        chat_id: int | None = None,
        *,
        mention_bot: bool = False,
        **user: Any,
    ) -> int:
        """A user sends ``/command args`` (``/command@bot`` with ``mention_bot``); -> update_id."""
        command = command.lstrip("/")
        text = f"/{command}" + (f"@{self.bot_user['username']}" if mention_bot else "")
        if args:
            text += f" {args}"
        return self.user_sends_text(user_id, text, chat_id, **user)

    def user_sends_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        chat_id: int | None = None,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        **user: Any,
    ) -> int:
        """A user uploads a file; the bot can fetch it with getFile + the file URL."""
        with self._cond:
            message = self._new_user_message(user_id, chat_id, **user)
            stored = self._store_file(filename, content, mime_type)
            message["document"] = self._document_json(stored)
            if caption is not None:
                message["caption"] = caption
            return self._push_update({"message": message})

    def user_presses_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        chat_id: int | None = None,
        *,
        check_button: bool = True,
        **user: Any,
    ) -> int:
        """A user presses an inline button of a message the bot sent; -> update_id.

        Raises LookupError if the message does not exist or (``check_button``) has no button
        with that callback_data -- a user could not press it.
        """
        with self._cond:
            chat = user_id if chat_id is None else chat_id
            key = (chat, message_id)
            message = self._messages.get(key)
            if message is None or key in self._deleted or key not in self._sent_index:
                raise LookupError(f"the bot has no message {message_id} in chat {chat}")
            buttons = self._sent_index[key].buttons
            if check_button and not any(
                data == callback_data for row in buttons for _, data in row
            ):
                raise LookupError(
                    f"message {message_id} in chat {chat} has no button with callback_data "
                    f"{callback_data!r}; buttons: {buttons!r}"
                )
            query_id = str(next(self._callback_ids))
            digest = hashlib.sha1(f"{chat}".encode()).hexdigest()
            query = {
                "id": query_id,
                "from": self._user_json(user_id, **user),
                "message": copy.deepcopy(message),
                "chat_instance": str(int(digest[:15], 16)),
                "data": callback_data,
            }
            update_id = self._push_update({"callback_query": query})
            self._callback_queries[query_id] = {"update_id": update_id, "answered": False}
            return update_id

    def user_presses_button_with_text(
        self, user_id: int, label: str, chat_id: int | None = None, **user: Any
    ) -> int:
        """Press the callback button labelled ``label`` on the newest bot message showing it."""
        chat = user_id if chat_id is None else chat_id
        with self._cond:
            for sent in reversed(self._sent):
                if sent.chat_id == chat and not sent.deleted:
                    for row in sent.buttons:
                        for text, data in row:
                            if text == label and data is not None:
                                return self.user_presses_button(
                                    user_id, sent.message_id, data, chat_id, **user
                                )
        raise LookupError(f"no bot message in chat {chat} has a button {label!r}")

    def register_chat(self, chat_id: int, *, first_name: str | None = None) -> None:
        """Declare that a chat exists for the bot (matters with ``strict_chats``)."""
        with self._cond:
            self._known_chats.add(chat_id)
            if chat_id > 0 and chat_id not in self._users:
                self._users[chat_id] = {
                    "id": chat_id,
                    "is_bot": False,
                    "first_name": first_name or f"User {chat_id}",
                }

    # ---- reading what the bot did ---------------------------------------------------------

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Snapshots of the messages the bot sent to ``chat_id``, oldest first."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._sent if m.chat_id == chat_id]

    def all_sent(self) -> list[SentMessage]:
        """Snapshots of every message the bot sent, in order."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._sent]

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Requests received (optionally only those of ``method``), in order."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def callback_answers(self) -> list[CallbackAnswer]:
        """answerCallbackQuery calls made so far."""
        with self._lock:
            return list(self._callback_answers)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """Commands set with setMyCommands for that scope/language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(_commands_key(scope, language_code), []))

    def update(self, update_id: int) -> JSON:
        """The JSON of an update created by a ``user_*`` helper (e.g. to POST to a webhook)."""
        with self._lock:
            return copy.deepcopy(self._updates[update_id].update)

    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by getUpdates(offset=...)."""
        with self._lock:
            return [copy.deepcopy(self._pending[i].update) for i in sorted(self._pending)]

    def confirmed_update_ids(self) -> list[int]:
        """update_ids confirmed by the bot, in confirmation order."""
        with self._lock:
            return list(self._confirmed)

    @property
    def unexpected_calls(self) -> list[str]:
        """Names of unsupported methods the bot called."""
        with self._lock:
            return [c.method for c in self._unexpected]

    def allow_unexpected_methods(self, *methods: str) -> None:
        """Opt out of the teardown check, for the given methods or (no args) for all."""
        with self._lock:
            if not methods:
                self._allow_unexpected = None
            elif self._allow_unexpected is not None:
                self._allow_unexpected.update(methods)

    def assert_no_unexpected_calls(self) -> None:
        """Fail if the bot called a method the fake does not implement (unless allowed)."""
        with self._lock:
            allowed = self._allow_unexpected
            bad = [c for c in self._unexpected if allowed is not None and c.method not in allowed]
        if bad:
            details = "; ".join(f"{c.method}({sorted(c.params)})" for c in bad)
            raise AssertionError(
                f"the bot called Bot API methods the fake Telegram server does not implement: "
                f"{details}. Implement them in tests/fakes/telegram_server.py or call "
                f"fake_telegram.allow_unexpected_methods(...) in the test."
            )

    # ---- waiting (async for async tests, *_blocking for threads) --------------------------

    async def wait_until(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Await until ``predicate()`` (run under the server lock) returns non-None/False."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                result = predicate()
            if result is not None and result is not False:
                return result
            if time.monotonic() >= deadline:
                raise FakeTelegramTimeout(
                    f"timed out after {timeout}s" + (f": {describe()}" if describe else "")
                )
            await asyncio.sleep(0.005)

    def wait_until_blocking(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        describe: Callable[[], str] | None = None,
    ) -> T:
        """Thread-blocking variant of ``wait_until`` (for sync tests only)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate()
                if result is not None and result is not False:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FakeTelegramTimeout(
                        f"timed out after {timeout}s" + (f": {describe()}" if describe else "")
                    )
                self._cond.wait(min(remaining, 0.05))

    def _messages_predicate(
        self, chat_id: int, count: int
    ) -> Callable[[], list[SentMessage] | None]:
        def ready() -> list[SentMessage] | None:
            found = [m for m in self._sent if m.chat_id == chat_id]
            return [copy.deepcopy(m) for m in found] if len(found) >= count else None

        return ready

    def _describe_chat(self, chat_id: int, count: int) -> Callable[[], str]:
        def describe() -> str:
            texts = [m.plain_text for m in self.sent_to(chat_id)]
            return (
                f"chat {chat_id} expected >= {count} bot messages, got {len(texts)}: {texts!r}; "
                f"methods called: {[c.method for c in self.calls()][-20:]}"
            )

        return describe

    async def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Await until the bot has sent >= ``count`` messages to ``chat_id``; return them all."""
        return await self.wait_until(
            self._messages_predicate(chat_id, count), timeout, self._describe_chat(chat_id, count)
        )

    def wait_for_messages_blocking(
        self, chat_id: int, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Thread-blocking variant of ``wait_for_messages``."""
        return self.wait_until_blocking(
            self._messages_predicate(chat_id, count), timeout, self._describe_chat(chat_id, count)
        )

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0
    ) -> list[ApiCall]:
        """Await until ``method`` was called >= ``count`` times; return those calls."""

        def ready() -> list[ApiCall] | None:
            found = [c for c in self._calls if c.method == method]
            return found if len(found) >= count else None

        return await self.wait_until(
            ready, timeout, lambda: f"{method} called {len(self.calls(method))}x, wanted {count}"
        )

    async def wait_for_callback_answer(
        self, update_id: int, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Await the bot's answerCallbackQuery for the button press ``update_id``."""

        def ready() -> CallbackAnswer | None:
            return next((a for a in self._callback_answers if a.update_id == update_id), None)

        return await self.wait_until(
            ready, timeout, lambda: f"callback query of update {update_id} not answered"
        )

    async def wait_until_confirmed(self, update_id: int, timeout: float = 5.0) -> None:
        """Await until the bot confirmed ``update_id`` via getUpdates(offset=...)."""
        await self.wait_until(
            lambda: update_id in self._confirmed and update_id not in self._pending,
            timeout,
            lambda: f"update {update_id} not confirmed; confirmed: {self.confirmed_update_ids()}",
        )

    async def wait_for_polling(self, timeout: float = 5.0) -> None:
        """Await until a getUpdates long poll is waiting (the bot is ready for updates)."""
        await self.wait_until(
            lambda: self._polls_waiting > 0, timeout, lambda: "no getUpdates long poll in flight"
        )

    # ---- fault injection ------------------------------------------------------------------

    def block_chat(self, chat_id: int, *, notify: bool = False) -> None:
        """The user blocks the bot: sends to ``chat_id`` answer 403 from now on.

        With ``notify`` the bot also gets the ``my_chat_member`` update Telegram sends.
        """
        with self._cond:
            self._blocked.add(chat_id)
            if notify:
                self._push_update({"my_chat_member": self._member_change(chat_id, "kicked")})

    def unblock_chat(self, chat_id: int) -> None:
        """The user unblocks the bot."""
        with self._cond:
            self._blocked.discard(chat_id)

    def fail_next(
        self,
        method: str,
        status: int,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """The next ``count`` calls of ``method`` (``"*"``: any) fail with ``status``.

        The failed call has no effect. A 429 always carries ``parameters.retry_after``
        (default 1 s); the description defaults to Telegram's wording.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            phrase = _HTTP_PHRASES.get(status, "Error")
            description = (
                f"Too Many Requests: retry after {retry_after}" if status == 429 else phrase
            )
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._cond:
            queue = self._faults.setdefault(_canonical(method), deque())
            queue.extend(_Fault(status, description, parameters) for _ in range(count))

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next ``count`` calls of ``method`` for ``seconds`` before handling them.

        As on Telegram, a request the client gave up on is still carried out.
        """
        with self._cond:
            self._delays.setdefault(_canonical(method), deque()).extend([seconds] * count)

    def enforce_limits(
        self,
        per_chat_per_sec: float = 1,
        global_per_sec: float = 30,
        group_per_min: float = 20,
    ) -> None:
        """Answer 429 + retry_after to sends beyond Telegram's flood limits (off by default).

        Counted: successful sendMessage/sendDocument calls, per chat (1 s window), overall
        (1 s window) and per group chat, i.e. negative chat_id (60 s window).
        """
        with self._cond:
            self._limits = _Limits(per_chat_per_sec, global_per_sec, group_per_min)
            self._send_log.clear()

    def disable_limits(self) -> None:
        """Switch rate-limit enforcement off again."""
        with self._cond:
            self._limits = None

    def redeliver(self, update_ids: Iterable[int] | None = None) -> list[int]:
        """Forget confirmations: deliver the given (default: all already delivered) updates
        once more, with their original update_id, whatever offset the next getUpdates passes.
        Returns the update_ids scheduled again."""
        with self._cond:
            ids = (
                [i for i, r in self._updates.items() if r.delivered > 0]
                if update_ids is None
                else list(update_ids)
            )
            for update_id in ids:
                self._deliver_again(update_id)
            self._cond.notify_all()
            return sorted(ids)

    def deliver_twice(self, update_id: int) -> None:
        """Make sure ``update_id`` reaches the bot twice (Telegram's at-least-once delivery)."""
        with self._cond:
            record = self._updates[update_id]
            if record.delivered == 0:
                record.min_deliveries = max(record.min_deliveries, 2)
            else:
                self._deliver_again(update_id)
            self._cond.notify_all()

    def _deliver_again(self, update_id: int) -> None:
        record = self._updates[update_id]
        record.min_deliveries = record.delivered + 1
        self._pending[update_id] = record

    # ---- internals: state helpers (call with the lock held) -------------------------------

    def _push_update(self, payload: JSON) -> int:
        update_id = next(self._update_ids)
        record = _UpdateRecord({"update_id": update_id, **payload})
        self._updates[update_id] = record
        self._pending[update_id] = record
        self._cond.notify_all()
        return update_id

    def _user_json(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> JSON:
        user = self._users.setdefault(
            user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )
        for key, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("username", username),
            ("language_code", language_code),
        ):
            if value is not None:
                user[key] = value
        return dict(user)

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id > 0:
            user = self._users.get(chat_id, {"first_name": f"User {chat_id}"})
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            return chat
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        return {
            "id": chat_id,
            "type": kind,
            "title": self._chat_titles.get(chat_id, f"Group {chat_id}"),
        }

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _new_user_message(
        self,
        user_id: int,
        chat_id: int | None,
        *,
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        **user: Any,
    ) -> JSON:
        chat = user_id if chat_id is None else chat_id
        sender = self._user_json(user_id, **user)
        if chat < 0 and chat_title:
            self._chat_titles[chat] = chat_title
        self._known_chats.add(chat)
        message: JSON = {
            "message_id": self._new_message_id(chat),
            "from": sender,
            "chat": self._chat_json(chat),
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            replied = self._messages.get((chat, reply_to_message_id))
            if replied is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat}")
            message["reply_to_message"] = _without_reply(replied)
        self._messages[(chat, message["message_id"])] = message
        return message

    def _member_change(self, chat_id: int, status: str) -> JSON:
        return {
            "chat": self._chat_json(chat_id),
            "from": self._user_json(chat_id)
            if chat_id > 0
            else {"id": 1, "is_bot": False, "first_name": "Admin"},
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": dict(self.bot_user)},
            "new_chat_member": {"status": status, "user": dict(self.bot_user), "until_date": 0},
        }

    def _store_file(self, filename: str | None, content: bytes, mime: str | None) -> _StoredFile:
        number = next(self._file_counter)
        name = filename or "document"
        mime = mime or mimetypes.guess_type(name)[0] or "application/octet-stream"
        suffix = name.rsplit(".", 1)[1] if "." in name else ""
        path = f"documents/file_{number}" + (f".{suffix}" if suffix else "")
        stored = _StoredFile(
            file_id=f"BQACAgUAAxkBAAI{number:06d}{hashlib.sha1(content).hexdigest()[:20]}",
            file_unique_id=f"AgAD{number:06d}",
            file_path=path,
            file_name=name,
            mime_type=mime,
            content=content,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    @staticmethod
    def _document_json(stored: _StoredFile) -> JSON:
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }

    # ---- internals: HTTP entry point (runs in handler threads) ----------------------------

    def _handle_request(
        self,
        http_method: str,
        path: str,
        query: str,
        headers: Any,
        body: bytes,
        client_gone: Callable[[], bool] = lambda: False,
    ) -> tuple[int, bytes, str]:
        """Route one HTTP request -> (status, body, content type)."""
        file_match = re.fullmatch(r"/file/bot([^/]*)/(.+)", path)
        if file_match:
            return self._download(file_match.group(1), file_match.group(2))
        match = re.fullmatch(r"/bot([^/]*)/([^/]*)", path)
        if not match or not _TOKEN_RE.match(match.group(1)):
            return _error_body(404, "Not Found")
        if match.group(1) != self.token:
            return _error_body(401, "Unauthorized")
        name = match.group(2)
        method = _METHODS_BY_LOWER.get(name.lower())
        try:
            raw, files = _decode_params(query, headers, body)
        except _ApiError as error:
            return _error_body(error.status, error.description)
        if method is None:
            call = ApiCall(name, raw, 404, "Not Found", time.time())
            with self._cond:
                self._calls.append(call)
                self._unexpected.append(call)
                self._cond.notify_all()
            return _error_body(404, "Not Found")
        logged = raw
        try:
            self._apply_delay(method)
            with self._cond:
                fault = _pop_first(self._faults, method)
            if fault is not None:
                raise _ApiError(fault.status, fault.description, fault.parameters)
            params = _coerce(method, raw, files)
            logged = _loggable(params)
            result = self._call(method, params, client_gone)
            status, description, payload = 200, None, {"ok": True, "result": result}
        except _ClientGone:  # an abandoned long poll: nobody reads the answer
            status, description, payload = 499, "client closed the connection", {"ok": False}
        except _ApiError as error:
            status, description = error.status, error.description
            payload = {"ok": False, "error_code": status, "description": description}
            if error.parameters:
                payload["parameters"] = error.parameters
        except Exception as error:  # a bug of the fake: answer 500 and fail the test later
            status, description = 500, f"Internal Server Error (fake server bug: {error!r})"
            payload = {"ok": False, "error_code": status, "description": description}
            with self._cond:
                self.internal_errors.append(f"{method}: {error!r}")
        with self._cond:
            if status == 429:
                self.count_429 += 1
            if status == 409:
                self.count_409 += 1
            self._calls.append(ApiCall(method, logged, status, description, time.time()))
            self._cond.notify_all()
        body_out = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return status, body_out, "application/json"

    def _download(self, token: str, file_path: str) -> tuple[int, bytes, str]:
        if token != self.token:
            return _error_body(401, "Unauthorized")
        with self._lock:
            stored = self._files_by_path.get(unquote(file_path))
        if stored is None:
            return _error_body(404, "Not Found")
        return 200, stored.content, stored.mime_type

    def _apply_delay(self, method: str) -> None:
        with self._cond:
            delay = _pop_first(self._delays, method)
        if delay:
            self._stopping.wait(delay)

    def _call(self, method: str, params: JSON, client_gone: Callable[[], bool]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params, client_gone)  # takes the lock itself
        with self._cond:
            handler = getattr(self, f"_api_{method}")
            result = handler(params)
            self._cond.notify_all()
            return result

    # ---- Bot API methods (lock held) --------------------------------------------------------

    def _api_getMe(self, params: JSON) -> JSON:
        return dict(self.bot_user)

    def _api_logOut(self, params: JSON) -> bool:
        return True

    def _api_close(self, params: JSON) -> bool:
        return True

    def _get_updates(self, params: JSON, client_gone: Callable[[], bool]) -> list[JSON]:
        offset = params.get("offset") or 0
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        with self._cond:
            self.get_updates_calls += 1
            if self.webhook.get("url"):
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
            self._poll_generation += 1
            generation = self._poll_generation
            self._termination_reason = (
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running"
            )
            self._cond.notify_all()  # terminates an older long poll (409 below)
            self._confirm(offset)
            deadline = time.monotonic() + timeout
            self._polls_waiting += 1
            try:
                while True:
                    if generation != self._poll_generation:
                        if client_gone():
                            raise _ClientGone
                        raise _ApiError(409, self._termination_reason)
                    ready = self._deliverable(limit)
                    remaining = deadline - time.monotonic()
                    if ready or remaining <= 0 or self._stopping.is_set():
                        break
                    if client_gone():  # e.g. PTB cancelled the poll when stopping
                        raise _ClientGone
                    self._cond.wait(min(remaining, 0.2))
            finally:
                self._polls_waiting -= 1
            if ready and client_gone():
                raise _ClientGone
            for record in ready:
                record.delivered += 1
            return [copy.deepcopy(r.update) for r in ready]

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            drop = [
                i
                for i, r in self._pending.items()
                if i < offset and r.delivered >= r.min_deliveries
            ]
        elif offset < 0:
            keep = sorted(self._pending)[offset:]
            drop = [i for i in self._pending if i not in keep]
        else:
            return
        for update_id in sorted(drop):
            del self._pending[update_id]
            self._confirmed.append(update_id)

    def _deliverable(self, limit: int) -> list[_UpdateRecord]:
        ready = []
        for update_id in sorted(self._pending):
            record = self._pending[update_id]
            if record.kind not in self._allowed_updates:
                del self._pending[update_id]  # Telegram drops updates of unwanted types
                continue
            ready.append(record)
            if len(ready) == limit:
                break
        return ready

    def _api_setWebhook(self, params: JSON) -> bool:
        url = params.get("url") or ""
        if url:
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname:
                raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
            if (parts.port or 443) not in WEBHOOK_PORTS:
                raise _bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._drop_pending()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if not url:
            self.webhook = {}
            return True
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": params.get("max_connections") or 40,
            "ip_address": params.get("ip_address"),
            "allowed_updates": allowed,
            "has_custom_certificate": params.get("certificate") is not None,
        }
        self._poll_generation += 1  # setting a webhook ends long polls
        self._termination_reason = "Conflict: terminated by setWebhook request"
        return True

    def _api_deleteWebhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook = {}
        return True

    def _drop_pending(self) -> None:
        for update_id in sorted(self._pending):
            self._confirmed.append(update_id)
        self._pending.clear()

    def _api_getWebhookInfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": self.webhook.get("has_custom_certificate", False),
            "pending_update_count": len(self._pending),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook.get("ip_address"):
                info["ip_address"] = self.webhook["ip_address"]
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _target_chat(self, method: str, params: JSON) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise _bad("chat not found")
        if method in _CHAT_SEND_METHODS and chat_id in self._blocked:
            if chat_id > 0:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            raise _ApiError(403, "Forbidden: bot was kicked from the group chat")
        if self.strict_chats and chat_id not in self._known_chats:
            raise _bad("chat not found")
        return chat_id

    def _format(self, text: str, parse_mode: str | None, entities: Any) -> tuple[str, list[JSON]]:
        if isinstance(entities, list):
            return text, entities
        mode = (parse_mode or "").lower()
        try:
            if mode == "":
                return _trim(text, [])
            if mode == "html":
                return parse_html(text, strict=self.strict_html)
            if mode == "markdownv2":
                return parse_markdown_v2(text)
            if mode == "markdown":
                return parse_markdown(text)
        except EntityParseError as error:
            raise _bad(f"can't parse entities: {error}") from None
        raise _bad("unsupported parse_mode")

    def _check_markup(self, markup: Any, *, inline_only: bool = False) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
            if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
                raise _bad("BUTTONS_TOO_MUCH")
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return markup
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_to(self, chat_id: int, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = reply.get("allow_sending_without_reply", False)
        else:
            message_id = params.get("reply_to_message_id")
            allow = params.get("allow_sending_without_reply", False)
        if message_id is None:
            return None
        key = (chat_id, int(message_id))
        if key not in self._messages or key in self._deleted:
            if allow:
                return None
            raise _bad("message to be replied not found")
        return int(message_id)

    def _check_rate_limit(self, chat_id: int) -> None:
        limits = self._limits
        if limits is None:
            return
        now = time.monotonic()
        while self._send_log and now - self._send_log[0][0] > 60:
            self._send_log.popleft()
        checks = [
            ([t for t, _ in self._send_log if now - t < 1], limits.global_per_sec, 1.0),
            (
                [t for t, c in self._send_log if c == chat_id and now - t < 1],
                limits.per_chat_per_sec,
                1.0,
            ),
        ]
        if chat_id < 0:
            recent = [t for t, c in self._send_log if c == chat_id]
            checks.append((recent, limits.group_per_min, 60.0))
        for times, limit, window in checks:
            if len(times) >= limit:
                retry_after = max(1, math.ceil(times[0] + window - now))
                raise _ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )

    def _record_send(self, chat_id: int) -> None:
        self._send_log.append((time.monotonic(), chat_id))

    def _bot_message(
        self,
        method: str,
        chat_id: int,
        params: JSON,
        *,
        reply_to: int | None,
        markup: JSON | None,
        body: JSON,
        sent: JSON,
    ) -> JSON:
        """Store a message sent by the bot and return its Message JSON."""
        message: JSON = {
            "message_id": self._new_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat_json(chat_id),
            "date": int(time.time()),
            **body,
        }
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(self._messages[(chat_id, reply_to)])
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        key = (chat_id, message["message_id"])
        self._messages[key] = message
        record = SentMessage(
            chat_id=chat_id,
            message_id=message["message_id"],
            method=method,
            reply_markup=markup,
            buttons=_buttons(markup),
            date=message["date"],
            sent_at=time.time(),
            reply_to_message_id=reply_to,
            params=_loggable(params),
            **sent,
        )
        self._sent.append(record)
        self._sent_index[key] = record
        if method in RATE_LIMITED_METHODS:
            self._record_send(chat_id)
        return copy.deepcopy(message)

    def _api_sendMessage(self, params: JSON) -> JSON:
        chat_id = self._target_chat("sendMessage", params)
        text = params.get("text")
        if not text:
            raise _bad("message text is empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise _bad("message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat_id, params)
        self._check_rate_limit(chat_id)
        body: JSON = {"text": plain}
        if entities:
            body["entities"] = entities
        sent = {
            "text": text,
            "parse_mode": params.get("parse_mode"),
            "plain_text": plain,
            "entities": entities,
        }
        return self._bot_message(
            "sendMessage", chat_id, params, reply_to=reply_to, markup=markup, body=body, sent=sent
        )

    def _api_sendDocument(self, params: JSON) -> JSON:
        chat_id = self._target_chat("sendDocument", params)
        document = params.get("document")
        if document is None or document == "":
            raise _bad("there is no document in the request")
        if isinstance(document, _UploadedFile):
            if not document.content:
                raise _bad("file must be non-empty")
            stored = self._store_file(document.filename, document.content, document.content_type)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and re.match(r"https?://", document):
            raise _bad("failed to get HTTP URL content")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        caption = params.get("caption")
        plain, entities = "", list[JSON]()
        if caption:
            plain, entities = self._format(
                caption, params.get("parse_mode"), params.get("caption_entities")
            )
            if utf16_len(plain) > MAX_CAPTION_LENGTH:
                raise _bad("message caption is too long")
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat_id, params)
        self._check_rate_limit(chat_id)
        body: JSON = {"document": self._document_json(stored)}
        if plain:
            body["caption"] = plain
            if entities:
                body["caption_entities"] = entities
        sent = {
            "text": None,
            "parse_mode": params.get("parse_mode"),
            "plain_text": plain or None,
            "entities": entities,
            "caption": caption,
            "document_name": stored.file_name,
            "document_bytes": stored.content,
            "document_mime": stored.mime_type,
            "file_id": stored.file_id,
        }
        return self._bot_message(
            "sendDocument", chat_id, params, reply_to=reply_to, markup=markup, body=body, sent=sent
        )

    def _editable(self, method: str, params: JSON) -> tuple[tuple[int, int], JSON]:
        if params.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat_id = self._target_chat(method, params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        key = (chat_id, int(message_id))
        message = self._messages.get(key)
        if message is None or key in self._deleted:
            raise _bad("message to edit not found")
        if key not in self._sent_index:
            raise _bad("message can't be edited")
        return key, message

    def _api_editMessageText(self, params: JSON) -> JSON:
        key, message = self._editable("editMessageText", params)
        if "text" not in message:
            raise _bad("there is no text in the message to edit")
        text = params.get("text")
        if not text:
            raise _bad("text must be non-empty")
        plain, entities = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain:
            raise _bad("text must be non-empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        # Without reply_markup, Telegram removes the inline keyboard.
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if (
            plain == message["text"]
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message["text"] = plain
        _set_or_pop(message, "entities", entities or None)
        _set_or_pop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        record = self._sent_index[key]
        record.edit_history.append(record.text)
        record.text, record.parse_mode = text, params.get("parse_mode")
        record.plain_text, record.entities = plain, entities
        record.reply_markup, record.buttons = markup, _buttons(markup)
        record.edited_at = time.time()
        return copy.deepcopy(message)

    def _api_editMessageReplyMarkup(self, params: JSON) -> JSON:
        key, message = self._editable("editMessageReplyMarkup", params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        _set_or_pop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        record = self._sent_index[key]
        record.edit_history.append(record.text)
        record.reply_markup, record.buttons = markup, _buttons(markup)
        record.edited_at = time.time()
        return copy.deepcopy(message)

    def _api_answerCallbackQuery(self, params: JSON) -> bool:
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(str(query_id))
        if query is None or query["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        self._callback_answers.append(
            CallbackAnswer(
                callback_query_id=str(query_id),
                update_id=query["update_id"],
                text=text,
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
                at=time.time(),
            )
        )
        return True

    def _api_getFile(self, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise _bad("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _api_setMyCommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad('parameter "commands" is required')
        if len(commands) > MAX_COMMANDS:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand")
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(description)) <= 256:
                raise _bad(
                    "command description is empty"
                    if not description
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_getMyCommands(self, params: JSON) -> list[JSON]:
        key = _commands_key(params.get("scope"), params.get("language_code") or "")
        return copy.deepcopy(self._commands.get(key, []))

    def _api_deleteMyCommands(self, params: JSON) -> bool:
        self._commands.pop(
            _commands_key(params.get("scope"), params.get("language_code") or ""), None
        )
        return True

    def _api_deleteMessage(self, params: JSON) -> bool:
        chat_id = self._target_chat("deleteMessage", params)
        key = (chat_id, int(params.get("message_id") or 0))
        if key not in self._messages or key in self._deleted:
            raise _bad("message to delete not found")
        self._deleted.add(key)
        if key in self._sent_index:
            self._sent_index[key].deleted = True
        return True

    def _api_sendChatAction(self, params: JSON) -> bool:
        chat_id = self._target_chat("sendChatAction", params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat_id, action, time.time()))
        return True

    def _api_getChat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or (
            chat_id not in self._known_chats and chat_id not in self._users
        ):
            raise _bad("chat not found")
        return {
            **self._chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _api_setChatMenuButton(self, params: JSON) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "commands",
            "web_app",
            "default",
        ):
            raise _bad("can't parse menu button")
        self._menu_buttons[params.get("chat_id")] = button
        return True

    def _api_getChatMenuButton(self, params: JSON) -> JSON:
        button = self._menu_buttons.get(params.get("chat_id"))
        if button is None:
            button = self._menu_buttons.get(None, {"type": "commands"})
        if button.get("type") == "default":
            button = {"type": "commands"}
        return dict(button)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _canonical(method: str) -> str:
    return "*" if method == "*" else _METHODS_BY_LOWER.get(method.lower(), method)


def _pop_first(queues: dict[str, deque[T]], method: str) -> T | None:
    for key in (method, "*"):
        queue = queues.get(key)
        if queue:
            return queue.popleft()
    return None


def _commands_key(scope: Any, language_code: str) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise _bad("can't parse inline keyboard button: Text must be a String")
    actions = INLINE_BUTTON_ACTIONS & button.keys()
    if not actions:
        raise _bad(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if (
            not isinstance(data, str)
            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
        ):
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button and not re.match(r"(https?|tg)://\S+$", str(button["url"])):
        raise _bad(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")


def _buttons(markup: JSON | None) -> list[list[tuple[str, str | None]]]:
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


def _set_or_pop(message: JSON, key: str, value: Any) -> None:
    if value is None:
        message.pop(key, None)
    else:
        message[key] = value


def _without_reply(message: JSON) -> JSON:
    return {k: copy.deepcopy(v) for k, v in message.items() if k != "reply_to_message"}


def _loggable(params: JSON) -> JSON:
    return {
        k: (f"<file {v.filename!r}, {len(v.content)} bytes>" if isinstance(v, _UploadedFile) else v)
        for k, v in params.items()
    }


def _error_body(status: int, description: str) -> tuple[int, bytes, str]:
    payload = {"ok": False, "error_code": status, "description": description}
    return status, json.dumps(payload).encode("utf-8"), "application/json"


def _decode_params(query: str, headers: Any, body: bytes) -> tuple[JSON, dict[str, _UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: JSON = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, _UploadedFile] = {}
    content_type, type_params = _split_header_params(headers.get("Content-Type", ""))
    if not body:
        return params, files
    if content_type == "application/json":
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            raise _bad("can't parse JSON request body") from None
        if not isinstance(data, dict):
            raise _bad("JSON request body must be an object")
        params.update(data)
    elif content_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif content_type == "multipart/form-data" and type_params.get("boundary"):
        fields, files = _parse_multipart(body, type_params["boundary"])
        params.update(fields)
    return params, files


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its fake and can close kept-alive connections."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeTelegramServer) -> None:
        self.fake = fake
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Never print tracebacks from handler threads; keep real errors for the teardown check.

        Dropped connections (the client timed out, the server is stopping) are normal.
        """
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.fake._stopping.is_set():
            return
        with self.fake._cond:
            self.fake.internal_errors.append(f"HTTP handler: {error!r}")

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """Hands every request to the fake; HTTP/1.1 with keep-alive like api.telegram.org."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 60
    disable_nagle_algorithm = True  # headers and body are written separately

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_UPLOAD_BYTES + 1024 * 1024:
            return None
        return self.rfile.read(length) if length else b""

    def _client_gone(self) -> bool:
        """True if the client closed the connection (EOF pending on the socket)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
        if body is None:
            status, payload, content_type = _error_body(413, "Request Entity Too Large")
            self.close_connection = True
        else:
            status, payload, content_type = self.server.fake._handle_request(
                self.command,
                unquote(parts.path),
                parts.query,
                self.headers,
                body,
                self._client_gone,
            )
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client went away (e.g. it timed out)
