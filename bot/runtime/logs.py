"""Logging set-up: readable lines, and no token or secret ever written to a log.

python-telegram-bot and httpx log request URLs, and Telegram's and Zalo's URLs contain the
bot token; python-telegram-bot even puts the token into the text of InvalidToken. So the
handler's formatter redacts the finished line -- message, arguments, traceback and stack
alike -- rather than trusting each log call: every configured secret (also URL-encoded), and
anything shaped like a Telegram bot token, even one we were not told about.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from bot.workspace.settings import Settings

REDACTED = "[REDACTED]"

# A Telegram bot token: the bot's numeric id, a colon, 35 characters of base64url.
TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


def redact(value: str, secrets: Iterable[str]) -> str:
    """The text with every secret (plain or URL-encoded) and every token-shaped word replaced."""
    for secret in secrets:
        if secret:
            value = value.replace(secret, REDACTED)
            encoded = quote(secret, safe="")
            if encoded != secret:
                value = value.replace(encoded, REDACTED)
    return TOKEN_SHAPE.sub(REDACTED, value)


class RedactSecrets(logging.Filter):
    """Replace every known secret in a record's message, arguments and traceback.

    For handlers that do not use RedactingFormatter; the formatter is the safer place.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, value: str) -> str:
        """The text with every secret replaced."""
        return redact(value, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatted now, redacted, and kept: formatters reuse exc_text when it is set.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """A formatter whose every finished line has the secrets taken out."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def configured_secrets(settings: Settings) -> list[str]:
    """The tokens and webhook secrets the config's environment variables hold."""
    names = (
        settings.telegram.token_env,
        settings.telegram.webhook_secret_env,
        settings.zalo.token_env,
        settings.zalo.webhook_secret_env,
        settings.zalo.download_secret_env,
    )
    return [value for name in names if (value := os.environ.get(name, "").strip())]


def setup_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr; secrets redacted; the HTTP libraries only from WARNING up."""
    secrets = list(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp", "httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
