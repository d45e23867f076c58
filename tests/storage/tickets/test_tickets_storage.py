"""Tickets and their history on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.ticket_figures import PendingUnit, UnitOverdue, compute_figures, pending_units
from domain.ticket_import import ImportedTicket
from domain.tickets import Ticket, TicketRevision, TicketStatus
from domain.units import Unit
from storage import ConstraintError, Database, NotFoundError
from storage.repos.tickets import AssignOutcome
from tests.support.clock import FakeClock
from tests.support.tickets_helpers import NOW, TODAY, UNITS, WINDOW

HANDLED = TicketStatus.HANDLED
IN_PROGRESS = TicketStatus.IN_PROGRESS
WHO = "cli:office"


@pytest.fixture
def clock() -> FakeClock:
    """The tickets tests' moment: 10:00 on 14/02/2022 in Vietnam."""
    return FakeClock(NOW)


@pytest.fixture
def db_units() -> Sequence[Unit]:
    """The tickets tests' units, known to the database from the start."""
    return UNITS


def row(ticket_id: str, **overrides: object) -> ImportedTicket:
    values: dict[str, object] = {
        "line": 2,
        "id": ticket_id,
        "received_on": date(2022, 1, 20),
        "status": IN_PROGRESS,
        "channel": "Tổng đài 1022",
        "due_on": date(2022, 2, 1),
        "unit_text": "UBND P.6",
        "unit_code": "P6TV",
        "summary": "Đèn đường hỏng",
        "source_status": "Đang xử lý",
    }
    values.update(overrides)
    return ImportedTicket(**values)  # type: ignore[arg-type]


async def test_the_migration_makes_append_only_revisions(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO)
    conn = sqlite3.connect(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE ticket_revisions SET changed_by = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM ticket_revisions")
    finally:
        conn.close()


async def test_an_imported_ticket_round_trips_through_the_file(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    async with db.write() as tx:
        saved = await tx.tickets.save_imported(
            [row("PA-1"), row("PA-2", unit_code=None, unit_text="Phòng lạ", suggestion="SYT")],
            WHO,
            "phieu.xlsx",
        )
    assert (saved.new, saved.updated, saved.unchanged) == (("PA-1", "PA-2"), (), ())
    await db.close()
    reopened = await Database.open(tmp_path / "baocao.sqlite3", clock=clock)
    try:
        async with reopened.read() as r:
            stored = await r.tickets.get("PA-1")
            unmatched = await r.tickets.unmatched()
            history = await r.tickets.revisions("PA-1")
    finally:
        await reopened.close()
    assert stored == Ticket(
        id="PA-1",
        received_on=date(2022, 1, 20),
        status=IN_PROGRESS,
        channel="Tổng đài 1022",
        due_on=date(2022, 2, 1),
        unit_code="P6TV",
        unit_text="UBND P.6",
        summary="Đèn đường hỏng",
        source_status="Đang xử lý",
        updated_at=NOW,
        updated_by=WHO,
    )
    assert stored == saved.tickets["PA-1"]
    assert [(t.id, t.suggestion) for t in unmatched] == [("PA-2", "SYT")]
    assert history == [
        TicketRevision("PA-1", "status", None, "in_progress", NOW, WHO, "phieu.xlsx"),
        TicketRevision("PA-1", "unit_code", None, "P6TV", NOW, WHO, "phieu.xlsx"),
        TicketRevision("PA-1", "due_on", None, "2022-02-01", NOW, WHO, "phieu.xlsx"),
    ]


async def test_reimporting_updates_by_id_and_never_duplicates(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1"), row("PA-2")], WHO)
    later = clock.advance(days=1)
    async with db.write() as tx:
        saved = await tx.tickets.save_imported(
            [row("PA-1"), row("PA-2", due_on=date(2022, 2, 5), summary="Sửa lại"), row("PA-3")],
            WHO,
        )
    assert (saved.new, saved.updated, saved.unchanged) == (("PA-3",), ("PA-2",), ("PA-1",))
    async with db.read() as r:
        everything = await r.tickets.all()
        pa1, pa2 = await r.tickets.get("PA-1"), await r.tickets.get("PA-2")
        history = await r.tickets.revisions("PA-2")
    assert [t.id for t in everything] == ["PA-1", "PA-2", "PA-3"]
    assert pa1 is not None and pa1.updated_at == NOW  # unchanged rows keep their stamp
    assert pa2 is not None and (pa2.summary, pa2.updated_at) == ("Sửa lại", later)
    assert history[-1] == TicketRevision("PA-2", "due_on", "2022-02-01", "2022-02-05", later, WHO)
    assert len(history) == 4


async def test_duplicate_ids_in_one_call_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        async with db.write() as tx:
            await tx.tickets.save_imported([row("PA-1"), row("PA-1")], WHO)


async def test_a_ticket_of_an_unknown_unit_code_breaks_a_constraint(db: Database) -> None:
    with pytest.raises(ConstraintError):
        async with db.write() as tx:
            await tx.tickets.save_imported([row("PA-1", unit_code="NOPE")], WHO)


async def test_assigning_an_unmatched_ticket(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1", unit_code=None, suggestion="SYT")], WHO)
    when = clock.advance(hours=2)
    async with db.write() as tx:
        assert (await tx.tickets.assign("PA-9", "SYT", WHO)).outcome is AssignOutcome.NO_TICKET
        assert (await tx.tickets.assign("PA-1", "NOPE", WHO)).outcome is AssignOutcome.NO_UNIT
        done = await tx.tickets.assign("PA-1", "SYT", "telegram:42", "tg:7")
        again = await tx.tickets.assign("PA-1", "SYT", "telegram:42")
    assert done.outcome is AssignOutcome.ASSIGNED
    assert done.revision == TicketRevision(
        "PA-1", "unit_code", None, "SYT", when, "telegram:42", "tg:7"
    )
    assert again.outcome is AssignOutcome.UNCHANGED
    async with db.read() as r:
        stored = await r.tickets.get("PA-1")
        assert await r.tickets.unmatched() == []
    assert stored == done.ticket
    assert stored is not None and (stored.unit_code, stored.suggestion) == ("SYT", None)
    # Re-importing the same row keeps the office's assignment.
    async with db.write() as tx:
        saved = await tx.tickets.save_imported([row("PA-1", unit_code=None, suggestion="SYT")], WHO)
    assert saved.unchanged == ("PA-1",)
    assert saved.tickets["PA-1"].unit_code == "SYT"


async def test_a_unit_answer_is_a_revision_and_survives_reimport(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1"), row("PA-2")], WHO)
    when = clock.advance(hours=1)
    async with db.write() as tx:
        ticket, revisions = await tx.tickets.report_status(
            "PA-1",
            IN_PROGRESS,
            "telegram:111",
            unit_code="P6TV",
            expected_on=date(2022, 2, 20),
            reason="Chờ\x00 kinh phí\n sửa chữa",
            source_message="tg:55",
        )
    assert revisions == (
        TicketRevision("PA-1", "expected_on", None, "2022-02-20", when, "telegram:111", "tg:55"),
        TicketRevision(
            "PA-1", "reason", None, "Chờ kinh phí sửa chữa", when, "telegram:111", "tg:55"
        ),
    )
    assert (ticket.reported_at, ticket.reported_by) == (when, "telegram:111")
    done = clock.advance(days=1)
    async with db.write() as tx:
        ticket, revisions = await tx.tickets.report_status("PA-1", HANDLED, "telegram:111")
    assert [(r.field, r.old_value, r.new_value) for r in revisions] == [
        ("status", "in_progress", "handled"),
        ("expected_on", "2022-02-20", None),
        ("reason", "Chờ kinh phí sửa chữa", None),
    ]
    # The export still says "Đang xử lý": re-importing it does not undo the answer.
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO)
    async with db.read() as r:
        stored = await r.tickets.get("PA-1")
    assert stored is not None
    assert (stored.status, stored.reported_at, stored.updated_at) == (HANDLED, done, done)


async def test_repeating_an_answer_stamps_it_without_a_revision(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO)
    when = clock.advance(days=3)
    async with db.write() as tx:
        ticket, revisions = await tx.tickets.report_status("PA-1", IN_PROGRESS, "telegram:111")
    assert revisions == ()
    assert ticket.reported_at == when


async def test_a_unit_cannot_answer_for_another_units_ticket(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO)
    with pytest.raises(NotFoundError):
        async with db.write() as tx:
            await tx.tickets.report_status("PA-1", HANDLED, "telegram:1", unit_code="SYT")
    with pytest.raises(NotFoundError):
        async with db.write() as tx:
            await tx.tickets.report_status("PA-404", HANDLED, "telegram:1")


async def test_a_very_long_reason_is_cut(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO)
        ticket, _ = await tx.tickets.report_status("PA-1", IN_PROGRESS, "t:1", reason="x" * 9000)
    assert ticket.reason is not None and len(ticket.reason) == 500


async def test_overdue_tickets_longest_overdue_first(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported(
            [
                row("PA-1", due_on=date(2022, 2, 10)),
                row("PA-2", due_on=date(2022, 1, 30), unit_code="SYT", unit_text="Sở Y tế"),
                row("PA-3", due_on=date(2022, 2, 14)),  # due today: not yet overdue
                row("PA-4", due_on=None),
                row("PA-5", due_on=date(2022, 1, 1), status=HANDLED, source_status="Đã xử lý"),
                row("PA-6", due_on=date(2022, 2, 1)),
            ],
            WHO,
        )
    async with db.read() as r:
        everyone = await r.tickets.overdue(TODAY)
        p6 = await r.tickets.overdue(TODAY, "P6TV")
    assert [t.id for t in everyone] == ["PA-2", "PA-6", "PA-1"]
    assert [(t.id, t.days_overdue(TODAY)) for t in p6] == [("PA-6", 13), ("PA-1", 4)]


async def test_figures_and_pending_units_from_the_database(db: Database, clock: FakeClock) -> None:
    rows = [
        row("PA-1", received_on=date(2022, 1, 3), due_on=date(2022, 1, 13), unit_code="SYT"),
        row("PA-2", received_on=date(2022, 1, 16), due_on=date(2022, 1, 26)),
        row("PA-3", received_on=date(2022, 2, 1), status=HANDLED, channel="Zalo"),
        row("PA-4", received_on=date(2022, 2, 5), due_on=date(2022, 2, 7), unit_code=None),
        row("PA-5", received_on=date(2022, 2, 16), due_on=date(2022, 1, 1)),  # after window
    ]
    async with db.write() as tx:
        await tx.tickets.save_imported(rows, WHO)
    async with db.read() as r:
        figures = compute_figures(await r.tickets.received_until(WINDOW[1]), UNITS, WINDOW, TODAY)
        pending = pending_units(await r.tickets.overdue(TODAY), UNITS, TODAY)
        everything = await r.tickets.all()
    assert figures == compute_figures(everything, UNITS, WINDOW, TODAY)
    assert (figures.period.received, figures.period.handled, figures.period.overdue) == (3, 1, 2)
    assert figures.cumulative.received == 4
    assert figures.overdue_units == (
        UnitOverdue("P6TV", "UBND Phường 6", 1),
        UnitOverdue("SYT", "Sở Y tế", 1),
    )
    assert figures.unassigned_overdue == 1
    # PA-5 counts for /trangthai: it is overdue now, whatever the report's window.
    assert pending == (
        PendingUnit("P6TV", "UBND Phường 6", 2, ("PA-5", "PA-2")),
        PendingUnit("SYT", "Sở Y tế", 1, ("PA-1",)),
    )
    answered_at = clock.advance(hours=1)
    async with db.write() as tx:
        await tx.tickets.report_status("PA-1", IN_PROGRESS, "telegram:9", unit_code="SYT")
        overdue = await tx.tickets.overdue(TODAY)
        assert pending_units(overdue, UNITS, TODAY) == pending[:1]
        asked_again = datetime(2022, 2, 20, tzinfo=UTC)
        assert answered_at < asked_again
        assert pending_units(overdue, UNITS, TODAY, since=asked_again)[1] == pending[1]


async def test_tickets_as_they_stood_at_a_moment(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported(
            [row("PA-1", received_on=date(2022, 2, 1)), row("PA-2", received_on=date(2022, 2, 20))],
            WHO,
        )
    imported = clock()
    moment = clock.advance(hours=1)
    async with db.write() as tx:
        for ticket_id in ("PA-1", "PA-2"):
            await tx.tickets.report_status(
                ticket_id, HANDLED, "telegram:1", at=clock.advance(minutes=1)
            )
        await tx.tickets.assign("PA-1", "SYT", WHO, at=clock.advance(minutes=1))
        await tx.tickets.save_imported(
            [row("PA-3", received_on=date(2022, 2, 2))], WHO, at=clock.advance(minutes=1)
        )
    async with db.read() as r:
        later = await r.tickets.revisions_since(moment, received_until=date(2022, 2, 14))
        then = await r.tickets.received_until(date(2022, 2, 14), stood_at=moment)
        before_any = await r.tickets.received_until(date(2022, 2, 14), stood_at=imported)
        now = await r.tickets.received_until(date(2022, 2, 14))
    # PA-2 was received after the 14th: its changes are not read.
    assert [(v.ticket_id, v.field) for v in later] == [
        ("PA-1", "status"),
        ("PA-1", "unit_code"),
        ("PA-3", "status"),
        ("PA-3", "unit_code"),
        ("PA-3", "due_on"),
    ]
    assert [(t.id, t.status, t.unit_code) for t in then] == [("PA-1", IN_PROGRESS, "P6TV")]
    assert before_any == []  # the first import itself is at `imported`: not before it
    assert [(t.id, t.status, t.unit_code) for t in now] == [
        ("PA-1", HANDLED, "SYT"),
        ("PA-3", IN_PROGRESS, "P6TV"),
    ]
