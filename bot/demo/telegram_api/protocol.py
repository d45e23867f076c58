"""What the fake Bot API knows of Telegram's: the test bot, limits, names, and error answers.

Everything is copied here from https://core.telegram.org/bots/api; the fake never reads
reference files at run time.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

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
# Methods that address a chat and are refused (403) when the user blocked the bot.
CHAT_SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendChatAction", "editMessageText", "editMessageReplyMarkup"}
)
# Methods whose successful calls count towards flood limits when enforce_limits() is on.
RATE_LIMITED_METHODS = frozenset({"sendMessage", "sendDocument"})
HTTP_PHRASES = {
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
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
COMMAND_RE = re.compile(r"(?<![\w/@])/([A-Za-z0-9_]{1,64})(@[A-Za-z0-9_]{3,32})?(?![\w/])")


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class ClientGone(Exception):
    """The client closed the connection while its long poll was waiting."""


def bad(description: str) -> ApiError:
    """A 400 answer, worded as Telegram words it."""
    return ApiError(400, f"Bad Request: {description}")


def error_body(status: int, description: str) -> tuple[int, bytes, str]:
    """An error answer as (HTTP status, JSON body, content type)."""
    payload = {"ok": False, "error_code": status, "description": description}
    return status, json.dumps(payload).encode("utf-8"), "application/json"
