"""Test doubles of external services (a local fake Telegram Bot API server)."""

from .telegram_server import (
    BOT_USER,
    DEFAULT_TOKEN,
    ApiCall,
    CallbackAnswer,
    FakeTelegramServer,
    FakeTelegramTimeout,
    SentMessage,
)

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "ApiCall",
    "CallbackAnswer",
    "FakeTelegramServer",
    "FakeTelegramTimeout",
    "SentMessage",
]
