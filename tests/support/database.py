"""The `db` fixture: a real SQLite file under tmp_path, migrated from empty, on the test's clock.

Registered once for all tests (`pytest_plugins` in tests/conftest.py). A folder or module whose
tests live at another moment overrides `clock`; one that needs units from the start overrides
`db_units` (the seeding step); nothing else differs between tests' databases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from domain.units import Unit
from storage import Database
from tests.support.clock import START, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """The test's clock (the database's too), at `START` until the test moves it."""
    return FakeClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives (absent until `db` opens it)."""
    return tmp_path / "baocao.sqlite3"


@pytest.fixture
def db_units() -> Sequence[Unit]:
    """The units `db` knows when the test starts: none unless overridden."""
    return ()


@pytest.fixture
async def db(db_path: Path, clock: FakeClock, db_units: Sequence[Unit]) -> AsyncIterator[Database]:
    """A freshly created and migrated database with `db_units` synced, closed after the test."""
    database = await Database.open(db_path, clock=clock)
    try:
        if db_units:
            async with database.write() as tx:
                await tx.units.sync_all(db_units)
        yield database
    finally:
        await database.close()
