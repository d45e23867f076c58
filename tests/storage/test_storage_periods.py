"""Periods: ensure, open, lock, unlock."""

from __future__ import annotations

import sqlite3

import pytest

from domain.periods import Period
from storage import Database, PeriodRecord
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD, START


async def test_ensure_is_idempotent(db: Database) -> None:
    async with db.write() as tx:
        first = await tx.periods.ensure(PERIOD)
        again = await tx.periods.ensure("05/2024")  # as users write it
    assert first == again == PeriodRecord(PERIOD, None, None)
    async with db.read() as r:
        assert await r.periods.get("2024-05") == first
        assert await r.periods.get(Period(2024, 6)) is None


async def test_open_and_lock_keep_their_first_time(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        opened = await tx.periods.open(PERIOD)
        clock.advance(days=1)
        reopened = await tx.periods.open(PERIOD)
        locked_at = clock.advance(days=20)
        locked = await tx.periods.lock(PERIOD)
        clock.advance(days=1)
        relocked = await tx.periods.lock(PERIOD)
    assert opened.opened_at == reopened.opened_at == START
    assert opened.is_open and not opened.is_locked
    assert locked.locked_at == relocked.locked_at == locked_at
    assert locked.is_locked and not locked.is_open


async def test_unlock_reopens_for_corrections(db: Database) -> None:
    async with db.write() as tx:
        await tx.periods.open(PERIOD)
        await tx.periods.lock(PERIOD)
        unlocked = await tx.periods.unlock(PERIOD)
        assert await tx.periods.unlock(Period(2030, 1)) is None
    assert unlocked is not None and unlocked.locked_at is None and unlocked.opened_at == START


async def test_all_lists_oldest_first(db: Database) -> None:
    async with db.write() as tx:
        for period in (Period(2024, 6), Period(2023, 12), PERIOD):
            await tx.periods.ensure(period)
    async with db.read() as r:
        assert [p.period for p in await r.periods.all()] == [
            Period(2023, 12),
            PERIOD,
            Period(2024, 6),
        ]


async def test_bad_period_text_is_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        async with db.write() as tx:
            await tx.periods.ensure("tháng 5")


async def test_the_schema_checks_period_keys(db: Database) -> None:
    # Repositories always normalise keys; the CHECK guards against other writers.
    conn = sqlite3.connect(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute("INSERT INTO periods (key) VALUES ('2024-5')")
    finally:
        conn.close()
