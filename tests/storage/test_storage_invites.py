"""Invites: single use, also under concurrency; expiry; cancellation."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from storage import ConstraintError, Database
from storage.repos.invites import InviteOutcome
from tests.support.clock import FakeClock
from tests.support.storage_helpers import START

EXPIRES = START + timedelta(days=14)


async def test_create_and_get(seeded: Database) -> None:
    async with seeded.write() as tx:
        invite = await tx.invites.create("Abc123-xyz", "UBND_A", START, EXPIRES)
    assert (invite.code, invite.unit_code, invite.created_at, invite.expires_at) == (
        "Abc123-xyz",
        "UBND_A",
        START,
        EXPIRES,
    )
    assert invite.used_at is None and invite.used_by is None
    async with seeded.read() as r:
        assert await r.invites.get("Abc123-xyz") == invite
        assert await r.invites.get("abc123-xyz") is None  # codes are case-sensitive
        assert await r.invites.open_for_unit("UBND_A") == [invite]


async def test_a_code_is_single_use(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("CODE1", "UBND_A", START, EXPIRES)
    when = clock.advance(hours=1)
    async with seeded.write() as tx:
        outcome, unit_code = await tx.invites.consume("CODE1", "telegram:111")
        invite = await tx.invites.get("CODE1")
    assert (outcome, unit_code) == (InviteOutcome.OK, "UBND_A")
    assert invite is not None and (invite.used_at, invite.used_by) == (when, "telegram:111")
    async with seeded.write() as tx:
        again = await tx.invites.consume("CODE1", "telegram:222")
        unknown = await tx.invites.consume("NOPE", "telegram:222")
    assert (again.outcome, again.unit_code) == (InviteOutcome.USED, None)
    assert (unknown.outcome, unknown.unit_code) == (InviteOutcome.UNKNOWN, None)
    async with seeded.read() as r:
        stored = await r.invites.get("CODE1")
        assert stored is not None and stored.used_by == "telegram:111"
        assert await r.invites.open_for_unit("UBND_A") == []


async def test_expired_codes_are_refused(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("LATE", "UBND_A", START, EXPIRES)
        await tx.invites.create("EARLY", "UBND_A", START, EXPIRES)
        late = await tx.invites.consume("LATE", "telegram:1", now=EXPIRES)
        early = await tx.invites.consume("EARLY", "telegram:1", now=EXPIRES - timedelta(seconds=1))
    assert late.outcome is InviteOutcome.EXPIRED
    assert early.outcome is InviteOutcome.OK


async def test_expire_cancels_an_unused_code(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("CANCEL", "UBND_A", START, EXPIRES)
        assert await tx.invites.expire("CANCEL") is True
        assert await tx.invites.expire("CANCEL") is False
        assert (await tx.invites.consume("CANCEL", "telegram:1")).outcome is InviteOutcome.EXPIRED


async def test_duplicate_codes_and_unknown_units_are_refused(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("DUP", "UBND_A", START, EXPIRES)
    with pytest.raises(ConstraintError):
        async with seeded.write() as tx:
            await tx.invites.create("DUP", "UBND_B", START, EXPIRES)
    with pytest.raises(ConstraintError):
        async with seeded.write() as tx:
            await tx.invites.create("OTHER", "UBND_Z", START, EXPIRES)


async def test_concurrent_consumers_get_the_code_once(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("RACE", "UBND_A", START, EXPIRES)

    async def consume(who: str) -> InviteOutcome:
        async with seeded.write() as tx:
            return (await tx.invites.consume("RACE", who)).outcome

    outcomes = await asyncio.gather(*(consume(f"telegram:{i}") for i in range(20)))
    assert outcomes.count(InviteOutcome.OK) == 1
    assert outcomes.count(InviteOutcome.USED) == 19


async def test_consumers_on_two_connections_get_the_code_once(
    seeded: Database, db_path: Path, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        await tx.invites.create("RACE2", "UBND_A", START, EXPIRES)
    other = await Database.open(db_path, clock=clock)
    try:

        async def consume(db: Database, who: str) -> InviteOutcome:
            async with db.write() as tx:
                return (await tx.invites.consume("RACE2", who)).outcome

        outcomes = await asyncio.gather(
            *(consume(db, f"u{i}") for i, db in enumerate([seeded, other] * 10))
        )
    finally:
        await other.close()
    assert outcomes.count(InviteOutcome.OK) == 1
