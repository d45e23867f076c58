"""Giving a ticket to a unit: the use case /giao and `baocao tickets assign` both call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from domain.ticket_import import ImportedTicket
from domain.tickets import TicketStatus
from domain.units import Unit
from handlers.ticket_assignment import TicketAssignment, assign_ticket
from storage import Database
from storage.repos.tickets import AssignOutcome
from tests.support.clock import FakeClock
from tests.support.tickets_helpers import NOW, UNITS

WHO = "telegram:42"
BY_CODE = {u.code: u for u in UNITS}


@pytest.fixture
def clock() -> FakeClock:
    """The tickets tests' moment: 10:00 on 14/02/2022 in Vietnam."""
    return FakeClock(NOW)


@pytest.fixture
def db_units() -> Sequence[Unit]:
    """The tickets tests' units, known to the database from the start."""
    return UNITS


def unmatched(ticket_id: str, unit_text: str = "Phòng Y tế huyện") -> ImportedTicket:
    """An export row the import could not match to a unit."""
    return ImportedTicket(
        line=2,
        id=ticket_id,
        received_on=date(2022, 1, 20),
        status=TicketStatus.IN_PROGRESS,
        due_on=date(2022, 2, 1),
        unit_text=unit_text,
        suggestion="SYT",
        source_status="Đang xử lý",
    )


async def assign(
    db: Database, ticket_id: str, named: str, units: tuple[Unit, ...] = UNITS
) -> TicketAssignment:
    async with db.write() as tx:
        return await assign_ticket(tx, units, ticket_id, named, WHO, source_message="tg:7", at=NOW)


async def test_a_ticket_goes_to_the_unit_its_code_name_or_alias_names(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported(
            [unmatched("PA-1"), unmatched("PA-2"), unmatched("PA-3")], "cli"
        )
    by_code = await assign(db, "PA-1", "SYT")
    assert (by_code.outcome, by_code.unit, by_code.previous) == (
        AssignOutcome.ASSIGNED,
        BY_CODE["SYT"],
        None,
    )
    assert by_code.ticket is not None and by_code.ticket.unit_code == "SYT"
    assert (await assign(db, "PA-2", "sở y tế")).unit == BY_CODE["SYT"]
    assert (await assign(db, "PA-3", "UBND P6")).unit == BY_CODE["P6TV"]
    async with db.read() as view:
        stored = await view.tickets.get("PA-3")
        history = await view.tickets.revisions("PA-3")
    assert stored is not None and stored.unit_code == "P6TV" and stored.suggestion is None
    assert (history[-1].field, history[-1].new_value) == ("unit_code", "P6TV")
    assert (history[-1].changed_by, history[-1].source_message) == (WHO, "tg:7")


async def test_again_to_the_same_unit_is_unchanged_and_to_another_names_the_previous(
    db: Database,
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([unmatched("PA-1")], "cli")
    await assign(db, "PA-1", "SYT")
    again = await assign(db, "PA-1", "syt")
    assert (again.outcome, again.unit, again.previous) == (
        AssignOutcome.UNCHANGED,
        BY_CODE["SYT"],
        None,
    )
    moved = await assign(db, "PA-1", "CL")
    assert (moved.outcome, moved.unit, moved.previous) == (
        AssignOutcome.ASSIGNED,
        BY_CODE["CL"],
        BY_CODE["SYT"],
    )


async def test_an_unknown_ticket_is_said_first_and_changes_nothing(db: Database) -> None:
    assert await assign(db, "PA-9", "SYT") == TicketAssignment(AssignOutcome.NO_TICKET)
    # The ticket is looked up before the unit: a wrong ticket with a wrong unit is a wrong ticket.
    assert await assign(db, "PA-9", "Công an") == TicketAssignment(AssignOutcome.NO_TICKET)


async def test_an_unknown_or_ambiguous_unit_gets_the_closest_as_a_suggestion(
    db: Database,
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([unmatched("PA-1")], "cli")
    near = await assign(db, "PA-1", "SYTT")
    assert (near.outcome, near.unit, near.suggestion) == (
        AssignOutcome.NO_UNIT,
        None,
        BY_CODE["SYT"],
    )
    assert near.ticket is not None and near.ticket.unit_code is None
    nothing_alike = await assign(db, "PA-1", "Công an")
    assert (nothing_alike.outcome, nothing_alike.suggestion) == (AssignOutcome.NO_UNIT, None)
    twins = (*UNITS, Unit("YT2", "Sở Y tế", "Sở, ban, ngành", ("cntt",), order=9))
    ambiguous = await assign(db, "PA-1", "Sở Y tế", twins)
    assert (ambiguous.outcome, ambiguous.suggestion) == (AssignOutcome.NO_UNIT, BY_CODE["SYT"])
    async with db.read() as view:
        still = await view.tickets.get("PA-1")
    assert still is not None and still.unit_code is None


async def test_a_unit_configured_but_not_stored_yet_is_named(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([unmatched("PA-1")], "cli")
    newcomer = Unit("MOI", "UBND xã Mới", "UBND cấp xã", ("cntt",), order=9)
    done = await assign(db, "PA-1", "MOI", (*UNITS, newcomer))
    assert (done.outcome, done.unit, done.suggestion) == (AssignOutcome.NO_UNIT, newcomer, None)


async def test_an_exact_code_is_taken_as_it_is(db: Database) -> None:
    # Two codes that fold alike: the button of the list carries the exact one.
    twins = (
        Unit("D1", "UBND xã Đông", "UBND cấp xã", ("cntt",), order=1),
        Unit("Đ1", "UBND xã Đoài", "UBND cấp xã", ("cntt",), order=2),
    )
    async with db.write() as tx:
        await tx.units.sync_all(twins)
        await tx.tickets.save_imported([unmatched("PA-1"), unmatched("PA-2")], "cli")
    assert (await assign(db, "PA-1", "D1", twins)).unit == twins[0]
    assert (await assign(db, "PA-2", "Đ1", twins)).unit == twins[1]
