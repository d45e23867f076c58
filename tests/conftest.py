"""Shared pytest fixtures."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, settings

from bot.demo.telegram_api import FakeTelegramServer
from templates.catalog import reset_office_texts

# Fixtures shared by every folder, registered once here (a conftest does not re-export them).
pytest_plugins = ["tests.support.database", "tests.support.offices", "tests.support.zalo_bot"]


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


@pytest.fixture(autouse=True)
def _packaged_texts_restored() -> Iterator[None]:
    """Loading an office with its own templates/texts/ installs its wording process-wide;
    the next test must speak with the packaged texts again."""
    yield
    reset_office_texts()


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """Commands run in-process (`main(["run", ...])`) set up logging on the stderr of their
    test; later tests must not log into that closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


# ---- hypothesis: bounded in CI, reproducible --------------------------------------------
# derandomize: the same examples on every run, so a failure in CI fails again locally
# (hypothesis also prints the falsifying example). HYPOTHESIS_PROFILE=dev explores more.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# ---- figures the fault, fuzz and permission suites print -----------------------------------
_FIGURES: list[str] = []


@pytest.fixture
def figures() -> Callable[[str], None]:
    """Record a line of figures; it is printed in pytest's summary (and at once, for -s)."""

    def record(line: str) -> None:
        print(line)
        _FIGURES.append(line)

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
