"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

try:  # tests/ has no __init__.py: pytest puts tests/ itself on sys.path
    from fakes.telegram_server import FakeTelegramServer
except ModuleNotFoundError:  # pragma: no cover - if tests/ ever becomes a package
    from tests.fakes.telegram_server import FakeTelegramServer


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramServer]:
    """A fresh local fake Telegram Bot API server for one test.

    Point the bot at it with ``server.make_bot()`` or
    ``Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url)``.
    At teardown the test fails if the bot called a Bot API method the fake does not
    implement (opt out with ``server.allow_unexpected_methods(...)``) or if the fake crashed.
    """
    with FakeTelegramServer() as server:
        yield server
    server.assert_no_unexpected_calls()
    assert not server.internal_errors, f"fake Telegram server errors: {server.internal_errors}"
