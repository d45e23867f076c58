"""What the fake Bot API's tests share: the chats they use and PTB helpers."""

from __future__ import annotations

import datetime as dtm
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import RetryAfter

USER = 1001  # a private chat with a unit's reporter
OTHER = 1002


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from rows of (label, callback_data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds (PTB 22 returns int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)
