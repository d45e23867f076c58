"""Fixtures of the end-to-end tests: the real bot against the local fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import FakeClock
from tests.support.harness import BotUnderTest, start_bot, stop_or_explain

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an end-to-end test: mark it `e2e` (select with -m)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def bot(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[BotUnderTest]:
    """The bot running in polling mode against the fake server."""
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    running = await start_bot(tmp_path, fake_telegram, clock)
    try:
        yield running
    finally:
        await stop_or_explain(running)
