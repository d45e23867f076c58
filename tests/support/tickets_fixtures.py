"""Fixtures of the tickets tests: a real, migrated SQLite file that knows the test units.

Imported by the conftest (or test module) of each folder whose tests use them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Database
from tests.support.tickets_helpers import UNITS, Clock


@pytest.fixture
def clock() -> Clock:
    """The database's clock, starting at tickets_helpers.NOW."""
    return Clock()


@pytest.fixture
async def db(tmp_path: Path, clock: Clock) -> AsyncIterator[Database]:
    """A fresh database file with the test units synced, closed after the test."""
    database = await Database.open(tmp_path / "baocao.sqlite3", clock=clock)
    try:
        async with database.write() as tx:
            await tx.units.sync_all(UNITS)
        yield database
    finally:
        await database.close()
