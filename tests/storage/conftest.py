"""The storage tests' moment (period 2024-05) and their seeded database."""

from __future__ import annotations

import pytest

from domain.obligations import Obligation
from storage import Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD, START, UNITS


@pytest.fixture
def clock() -> FakeClock:
    """The database's clock, starting at storage_helpers.START (in period 2024-05)."""
    return FakeClock(START)


@pytest.fixture
async def seeded(db: Database) -> Database:
    """The database with two units, period 2024-05 and their BC01 obligations."""
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
        await tx.obligations.ensure([Obligation(u.code, "BC01", PERIOD) for u in UNITS])
    return db
