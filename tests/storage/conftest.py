"""Fixtures for storage tests: a real SQLite file under tmp_path, migrated from empty."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from domain.obligations import Obligation
from storage import Database
from tests.support.storage_helpers import PERIOD, UNITS, FakeClock, sha256


@pytest.fixture
def clock() -> FakeClock:
    """The database's clock, starting at storage_helpers.START."""
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives (absent at first)."""
    return tmp_path / "baocao.sqlite3"


@pytest.fixture
async def db(db_path: Path, clock: FakeClock) -> AsyncIterator[Database]:
    """A freshly created and migrated database, closed after the test."""
    database = await Database.open(db_path, clock=clock)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The database with two units, period 2024-05 and their BC01 obligations."""
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
        await tx.obligations.ensure([Obligation(u.code, "BC01", PERIOD) for u in UNITS])
    return db


@pytest.fixture
def digest() -> Callable[[Path], str]:
    """Hash a file, to prove it was left byte-identical."""
    return sha256
