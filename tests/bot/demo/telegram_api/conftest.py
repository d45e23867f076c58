"""The fake Bot API's tests drive it with a real python-telegram-bot ``Bot``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.demo.telegram_api import FakeTelegramServer


@pytest.fixture
async def bot(fake_telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A real, initialised PTB Bot pointed at the fake."""
    async with fake_telegram.make_bot() as client:
        yield client
