"""Obligations: ensure, states with their timestamps, lock, listing."""

from __future__ import annotations

import sqlite3

import pytest

from domain.obligations import Obligation, ObligationState
from domain.periods import Period
from storage import Database, NotFoundError
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD, START, UNITS


async def test_ensure_creates_missing_obligations_and_their_period(db: Database) -> None:
    june = Period(2024, 6)
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
        created = await tx.obligations.ensure(
            [Obligation("UBND_A", "BC01", june), Obligation("UBND_A", "BC02", june)]
        )
        again = await tx.obligations.ensure([Obligation("UBND_A", "BC01", june)])
        period = await tx.periods.get(june)
    assert (created, again) == (2, 0)
    assert period is not None and period.opened_at is None
    async with db.read() as r:
        got = await r.obligations.get("UBND_A", "BC01", june)
    assert got == Obligation("UBND_A", "BC01", june, ObligationState.NOT_STARTED, None, False)


async def test_ensure_keeps_the_state_of_existing_obligations(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.obligations.set_state("UBND_A", "BC01", PERIOD, ObligationState.IN_PROGRESS)
        await tx.obligations.ensure([Obligation("UBND_A", "BC01", PERIOD)])
        got = await tx.obligations.get("UBND_A", "BC01", PERIOD)
    assert got is not None and got.state is ObligationState.IN_PROGRESS


async def test_set_state_stamps_submission_once(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        started = await tx.obligations.set_state(
            "UBND_A", "BC01", PERIOD, ObligationState.IN_PROGRESS
        )
        submitted_at = clock.advance(days=2)
        submitted = await tx.obligations.set_state(
            "UBND_A", "BC01", PERIOD, ObligationState.SUBMITTED
        )
        clock.advance(days=1)
        await tx.obligations.set_state("UBND_A", "BC01", PERIOD, ObligationState.REOPENED)
        clock.advance(days=1)
        resubmitted = await tx.obligations.set_state(
            "UBND_A", "BC01", PERIOD, ObligationState.SUBMITTED
        )
        explicit = await tx.obligations.set_state(
            "UBND_B", "BC01", PERIOD, ObligationState.SUBMITTED_LATE, submitted_at=START
        )
    assert started.state is ObligationState.IN_PROGRESS and started.submitted_at is None
    assert submitted.state is ObligationState.SUBMITTED
    assert submitted.submitted_at == submitted_at
    # Reopened and handed in again: still counts from the first submission.
    assert resubmitted.submitted_at == submitted_at
    assert explicit.submitted_at == START
    conn = sqlite3.connect(seeded.path)
    row = conn.execute(
        "SELECT started_at, updated_at FROM obligations WHERE unit_code = 'UBND_A'"
    ).fetchone()
    conn.close()
    # Stored as fixed-width ISO-8601 UTC text.
    assert row == ("2024-05-10T01:00:00.000000Z", "2024-05-14T01:00:00.000000Z")


async def test_set_state_on_a_missing_obligation_raises(seeded: Database) -> None:
    with pytest.raises(NotFoundError):
        async with seeded.write() as tx:
            await tx.obligations.set_state("UBND_B", "BC02", PERIOD, ObligationState.SUBMITTED)


async def test_locking_the_period_locks_its_obligations(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.periods.lock(PERIOD)
    async with seeded.read() as r:
        assert all(o.locked for o in await r.obligations.list_for_period(PERIOD))


async def test_list_for_period_follows_the_units_order(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.obligations.ensure([Obligation("UBND_A", "BC02", PERIOD)])
        await tx.obligations.ensure([Obligation("UBND_A", "BC01", Period(2024, 6))])
    async with seeded.read() as r:
        listed = await r.obligations.list_for_period(PERIOD)
        bc02 = await r.obligations.list_for_period("2024-05", form_code="BC02")
    # UBND_B has order 1, UBND_A order 2.
    assert [o.key for o in listed] == [
        ("UBND_B", "BC01", "2024-05"),
        ("UBND_A", "BC01", "2024-05"),
        ("UBND_A", "BC02", "2024-05"),
    ]
    assert [o.key for o in bc02] == [("UBND_A", "BC02", "2024-05")]


async def test_states_over_several_periods_match_the_listing(seeded: Database) -> None:
    june, july = Period(2024, 6), Period(2024, 7)
    async with seeded.write() as tx:
        await tx.obligations.ensure([Obligation("UBND_A", "BC01", june)])
        await tx.obligations.ensure([Obligation("UBND_B", "BC01", july)])
        await tx.obligations.set_state(
            "UBND_A", "BC01", june, ObligationState.SUBMITTED_LATE, submitted_at=START
        )
    async with seeded.read() as r:
        states = await r.obligations.states_over([PERIOD, june])
        listed = await r.obligations.list_for_period(PERIOD)
    assert states == {
        **{(o.period.key, o.unit_code, o.form_code): (o.state, o.submitted_at) for o in listed},
        ("2024-06", "UBND_A", "BC01"): (ObligationState.SUBMITTED_LATE, START),
    }
