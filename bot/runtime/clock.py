"""The time, injected so tests can run a month in seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait until `event` is set or `timeout` seconds pass, whichever comes first.

    Not `asyncio.wait_for`: on Python 3.11 it can hang when cancelled at the moment the
    event is set, which made stopping the bot hang now and then.
    """
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()
