"""A local fake of the Telegram Bot API: `baocao demo` runs the real bot against it, and the
tests use it as their Telegram.

It is a real HTTP server on 127.0.0.1 that speaks the Bot API wire protocol, with Telegram's
checks (HTML and Markdown entities, text and button limits, 429 flood limits, offsets and
long polls, webhooks, files). Simulated people act through ``user_sends_text``,
``user_presses_button``, ...; ``sent_to`` and ``wait_for_messages`` show what the bot sent;
``fail_next``, ``delay_next``, ``network_delay``, ``block_chat``, ``enforce_limits`` and
``redeliver`` inject Telegram's faults.

Modules: `server` (the class and its HTTP entry point), `httpd` (the HTTP plumbing),
`params` (request decoding), `entities` and `markdown` (parse modes), `updates`, `sending`,
`editing`, `settings` (the API methods), `people`, `observe`, `faults` (what tests and the
demo use), `state` and `records` (what the fake remembers), `protocol` (Telegram's constants).
"""

from bot.demo.telegram_api.entities import EntityParseError, parse_html, utf16_len
from bot.demo.telegram_api.markdown import parse_markdown, parse_markdown_v2
from bot.demo.telegram_api.protocol import BOT_USER, DEFAULT_TOKEN, MAX_TEXT_LENGTH
from bot.demo.telegram_api.records import (
    ApiCall,
    CallbackAnswer,
    FakeTelegramTimeout,
    SentMessage,
)
from bot.demo.telegram_api.server import FakeTelegramServer

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "MAX_TEXT_LENGTH",
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
