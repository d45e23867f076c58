"""Units repository: sync from the units file, list and get."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.units import Unit
from storage import Database, UnitSyncResult
from tests.support.storage_helpers import UNITS


async def test_sync_all_round_trips_every_field(db: Database) -> None:
    dated = Unit(
        "UBND_C",
        "UBND xã C (sáp nhập)",
        "Xã",
        ("BC01",),
        order=3,
        aliases=("xa c", "c"),
        effective_from=date(2024, 1, 1),
        effective_to=date(2025, 6, 30),
    )
    async with db.write() as tx:
        result = await tx.units.sync_all([*UNITS, dated])
    assert result == UnitSyncResult(added=("UBND_A", "UBND_B", "UBND_C"), removed=(), restored=())
    async with db.read() as r:
        assert await r.units.get("UBND_C") == dated
        assert await r.units.get("UBND_A") == UNITS[0]
        assert await r.units.get("NOPE") is None
        # Configured order first (B has order 1, A order 2), not alphabetical.
        assert [u.code for u in await r.units.all()] == ["UBND_B", "UBND_A", "UBND_C"]


async def test_sync_updates_changed_units(db: Database) -> None:
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
    renamed = dataclasses.replace(UNITS[0], name="UBND phường A", forms=("BC01",))
    async with db.write() as tx:
        result = await tx.units.sync_all([renamed, UNITS[1]])
    assert result == UnitSyncResult(added=(), removed=(), restored=())
    async with db.read() as r:
        assert await r.units.get("UBND_A") == renamed


async def test_units_gone_from_the_file_are_kept(db: Database) -> None:
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
    async with db.write() as tx:
        result = await tx.units.sync_all([UNITS[1]])
    assert result.removed == ("UBND_A",)
    async with db.read() as r:
        assert [u.code for u in await r.units.all()] == ["UBND_B"]
        assert [u.code for u in await r.units.all(include_removed=True)] == ["UBND_B", "UBND_A"]
        assert await r.units.get("UBND_A") == UNITS[0]
    async with db.write() as tx:
        result = await tx.units.sync_all(UNITS)
    assert result == UnitSyncResult(added=(), removed=(), restored=("UBND_A",))
    async with db.read() as r:
        assert len(await r.units.all()) == 2


async def test_duplicate_codes_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        async with db.write() as tx:
            await tx.units.sync_all([UNITS[0], UNITS[0]])
