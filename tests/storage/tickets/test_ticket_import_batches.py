"""A ticket import saved in batches of short transactions: nobody sees it before it is
published, the old tickets stay shown until then, and what a failure or a crash leaves is
deleted (storage/repos/ticket_imports.py, bot/tickets/saving.py)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from bot.tickets.reading import TicketFile
from bot.tickets.saving import clear_leftovers, save_in_batches
from domain.ticket_import import ImportedTicket
from domain.tickets import TicketStatus
from domain.units import Unit
from storage import Database
from storage.schema import APPLICATION_ID, migrations
from tests.support.clock import FakeClock
from tests.support.tickets_helpers import NOW, TODAY, UNITS

WHO = "cli:office"


@pytest.fixture
def clock() -> FakeClock:
    """10:00 on 14/02/2022 in Vietnam."""
    return FakeClock(NOW)


@pytest.fixture
def db_units() -> Sequence[Unit]:
    """The tickets tests' units."""
    return UNITS


def row(ticket_id: str, status_text: str = "Đang xử lý") -> ImportedTicket:
    handled = status_text.startswith("Đã")
    return ImportedTicket(
        line=2,
        id=ticket_id,
        received_on=date(2022, 1, 20),
        status=TicketStatus.HANDLED if handled else TicketStatus.IN_PROGRESS,
        due_on=date(2022, 2, 1),
        unit_text="Sở Y tế",
        unit_code="SYT",
        source_status=status_text,
    )


def raw_count(path: Path, sql: str = "SELECT COUNT(*) FROM tickets") -> int:
    """What is in the file, published or not (committed rows only)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


async def shown(db: Database) -> dict[str, TicketStatus]:
    async with db.read() as view:
        return {t.id: t.status for t in await view.tickets.all()}


async def test_an_import_is_shown_only_once_published(db: Database) -> None:
    async with db.write() as tx:
        begun = await tx.tickets.begin_import("phieu.csv", WHO)
    rows = [row(f"PA-{n}") for n in range(6)]
    for part in (rows[:3], rows[3:]):
        async with db.write() as tx:
            await tx.tickets.stage(begun, part, WHO, "phieu.csv")
        assert await shown(db) == {}  # written and committed, yet seen by nobody
        async with db.read() as view:
            assert await view.tickets.get("PA-0") is None
            assert await view.tickets.overdue(TODAY) == []
            assert await view.tickets.revisions("PA-0") == []
    assert raw_count(db.path) == 6
    async with db.write() as tx:
        await tx.tickets.publish(begun, {r.id: r for r in rows}, WHO, "phieu.csv")
    assert len(await shown(db)) == 6
    async with db.read() as view:
        assert len(await view.tickets.overdue(TODAY)) == 6
        assert [r.field for r in await view.tickets.revisions("PA-0")] == [
            "status",
            "unit_code",
            "due_on",
        ]


async def test_the_old_tickets_stay_shown_until_the_new_import_is_published(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1"), row("PA-2")], WHO, "cu.csv")
    clock.advance(hours=1)
    async with db.write() as tx:
        begun = await tx.tickets.begin_import("moi.csv", WHO)
        newer = [row("PA-1", "Đã xử lý xong"), row("PA-2", "Đã xử lý xong"), row("PA-3")]
        await tx.tickets.stage(begun, newer, WHO, "moi.csv")
    assert await shown(db) == {"PA-1": TicketStatus.IN_PROGRESS, "PA-2": TicketStatus.IN_PROGRESS}
    async with db.read() as view:  # nor its history
        assert [r.source_message for r in await view.tickets.revisions("PA-1")] == ["cu.csv"] * 3
    async with db.write() as tx:
        await tx.tickets.publish(begun, {r.id: r for r in newer}, WHO, "moi.csv")
    handled = TicketStatus.HANDLED
    assert await shown(db) == {"PA-1": handled, "PA-2": handled, "PA-3": TicketStatus.IN_PROGRESS}
    # Both versions of PA-1 are kept until the import is settled; readers see one.
    assert raw_count(db.path) == 5
    async with db.write() as tx:
        assert await tx.tickets.settle_some(begun.id, "", 10) is None
    assert raw_count(db.path) == 3
    assert await shown(db) == {"PA-1": handled, "PA-2": handled, "PA-3": TicketStatus.IN_PROGRESS}


async def test_an_answer_given_in_chat_while_an_import_saves_is_kept(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1"), row("PA-2")], WHO, "cu.csv")
    clock.advance(hours=1)
    async with db.write() as tx:
        begun = await tx.tickets.begin_import("lai.csv", WHO)
        again = [row("PA-1"), row("PA-2")]  # the same export again, saved before the answer
        await tx.tickets.stage(begun, again, WHO, "lai.csv")
    clock.advance(minutes=1)
    async with db.write() as tx:
        await tx.tickets.report_status("PA-1", TicketStatus.HANDLED, "unit:SYT")
    async with db.write() as tx:
        assert await tx.tickets.publish(begun, {r.id: r for r in again}, WHO, "lai.csv") == 1
    async with db.read() as view:
        answered = await view.tickets.get("PA-1")
        assert answered is not None and answered.status is TicketStatus.HANDLED
        assert answered.reported_by == "unit:SYT"
        history = await view.tickets.revisions("PA-1")
    assert [(r.field, r.new_value, r.changed_by) for r in history][-1] == (
        "status",
        "handled",
        "unit:SYT",
    )


async def test_a_failure_midway_leaves_nothing_shown_and_nothing_stored(db: Database) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO, "cu.csv")
    before = raw_count(db.path, "SELECT COUNT(*) FROM ticket_revisions")
    parsed = TicketFile("moi.csv", tuple(row(f"PA-{n}", "Đã xử lý") for n in range(1, 8)), ())
    written: list[int] = []

    async def failing(tx: object, summary: object) -> None:
        written.append(raw_count(db.path))
        raise RuntimeError("the disk went away")

    with pytest.raises(RuntimeError, match="disk"):
        await save_in_batches(db, parsed, UNITS, TODAY, WHO, on_publish=failing, batch=2)
    assert written == [8]  # every batch was written before the publish failed
    assert await shown(db) == {"PA-1": TicketStatus.IN_PROGRESS}
    assert raw_count(db.path) == 1
    assert raw_count(db.path, "SELECT COUNT(*) FROM ticket_revisions") == before
    assert raw_count(db.path, "SELECT COUNT(*) FROM ticket_imports WHERE state = 'saving'") == 0


async def test_other_writes_go_in_between_the_batches(db: Database) -> None:
    parsed = TicketFile("moi.csv", tuple(row(f"PA-{n}") for n in range(10)), ())
    saving = asyncio.create_task(save_in_batches(db, parsed, UNITS, TODAY, WHO, batch=2))
    seen: list[tuple[int, int]] = []
    while not saving.done():
        async with db.write() as tx:
            seen.append((len(await tx.tickets.all()), raw_count(db.path)))
    await saving
    # Some writes ran while part of the import was written: they saw none of it.
    assert any(shown_then == 0 and 0 < stored < 10 for shown_then, stored in seen)
    assert all(shown_then in (0, 10) for shown_then, _ in seen)
    assert len(await shown(db)) == 10


async def test_a_crash_between_batches_leaves_nothing_shown_and_the_next_start_deletes_it(
    db_path: Path, clock: FakeClock
) -> None:
    db = await Database.open(db_path, clock=clock)
    async with db.write() as tx:
        await tx.units.sync_all(UNITS)
        await tx.tickets.save_imported([row("PA-1")], WHO, "cu.csv")
    async with db.write() as tx:
        begun = await tx.tickets.begin_import("moi.csv", WHO)
    for part in ([row("PA-1", "Đã xử lý"), row("PA-2")], [row("PA-3")]):
        async with db.write() as tx:
            await tx.tickets.stage(begun, part, WHO, "moi.csv")
    await db.close()  # as a crash would: no publish, no clean-up
    db = await Database.open(db_path, clock=clock)
    try:
        assert await shown(db) == {"PA-1": TicketStatus.IN_PROGRESS}
        assert raw_count(db_path) == 4
        assert await clear_leftovers(db) == 1
        assert raw_count(db_path) == 1
        assert raw_count(db_path, "SELECT COUNT(*) FROM ticket_revisions") == 3
        assert raw_count(db_path, "SELECT COUNT(*) FROM ticket_imports WHERE id > 0") == 1
        assert await shown(db) == {"PA-1": TicketStatus.IN_PROGRESS}
    finally:
        await db.close()


async def test_an_import_another_running_process_saves_is_left_alone(db: Database) -> None:
    async with db.write() as tx:
        begun = await tx.tickets.begin_import("moi.csv", WHO)
        await tx.tickets.stage(begun, [row("PA-1")], WHO, "moi.csv")
    conn = sqlite3.connect(db.path)
    try:  # as if `baocao tickets import` were saving it: a live process that is not us
        conn.execute("UPDATE ticket_imports SET pid = ? WHERE id = ?", (os.getppid(), begun.id))
        conn.commit()
    finally:
        conn.close()
    assert await clear_leftovers(db) == 0
    assert raw_count(db.path) == 1


async def test_history_shown_is_append_only_but_an_unpublished_import_s_can_go(
    db: Database,
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO, "cu.csv")
        begun = await tx.tickets.begin_import("moi.csv", WHO)
        await tx.tickets.stage(begun, [row("PA-2")], WHO, "moi.csv")
    conn = sqlite3.connect(db.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM ticket_revisions WHERE ticket_id = 'PA-1'")
        assert conn.execute("DELETE FROM ticket_revisions WHERE ticket_id = 'PA-2'").rowcount == 3
    finally:
        conn.close()


async def test_tickets_stored_before_the_upgrade_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "cu.sqlite"
    conn = sqlite3.connect(path)
    # The schema before ticket imports had versions.
    before = [m for m in migrations() if m.name < "0008_ticket_imports.sql"]
    for step in before:
        for statement in step.statements:
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {len(before)}")
    conn.execute(
        "INSERT INTO tickets (id, received_on, status, imported_at, updated_at, updated_by) "
        "VALUES ('PA-9', '2022-01-20', 'handled', ?1, ?1, 'cli')",
        ("2022-01-21T00:00:00.000000Z",),
    )
    conn.execute(
        "INSERT INTO ticket_revisions (ticket_id, field, new_value, changed_at, changed_by) "
        "VALUES ('PA-9', 'status', 'handled', '2022-01-21T00:00:00.000000Z', 'cli')"
    )
    conn.commit()
    conn.close()
    db = await Database.open(path)
    try:
        async with db.read() as view:
            kept = await view.tickets.get("PA-9")
            assert kept is not None and kept.status is TicketStatus.HANDLED
            assert [r.new_value for r in await view.tickets.revisions("PA-9")] == ["handled"]
    finally:
        await db.close()


async def test_of_two_imports_saving_at_once_the_one_published_last_wins(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.tickets.save_imported([row("PA-1")], WHO, "cu.csv")
    clock.advance(minutes=1)
    async with db.write() as tx:
        first = await tx.tickets.begin_import("a.csv", WHO)
        await tx.tickets.stage(first, [row("PA-1", "Đã xử lý")], WHO, "a.csv")
        second = await tx.tickets.begin_import("b.csv", WHO)
        await tx.tickets.stage(second, [row("PA-1", "Đang xử lý lại")], WHO, "b.csv")
    clock.advance(minutes=1)
    async with db.write() as tx:
        again = {"PA-1": row("PA-1", "Đang xử lý lại")}
        assert await tx.tickets.publish(second, again, WHO, "b.csv") == 0
        assert await tx.tickets.settle_some(second.id, "", 10) is None
    assert await shown(db) == {"PA-1": TicketStatus.IN_PROGRESS}
    async with db.write() as tx:  # merged again over b.csv's version, published meanwhile
        done = {"PA-1": row("PA-1", "Đã xử lý")}
        assert await tx.tickets.publish(first, done, WHO, "a.csv") == 1
        assert await tx.tickets.settle_some(first.id, "", 10) is None
    assert await shown(db) == {"PA-1": TicketStatus.HANDLED}
    assert raw_count(db.path) == 1
    async with db.read() as view:
        statuses = [(r.new_value, r.source_message) for r in await view.tickets.revisions("PA-1")]
    # b.csv changed nothing that is tracked; a.csv's change is recorded against it.
    assert statuses == [
        ("in_progress", "cu.csv"),
        ("SYT", "cu.csv"),
        ("2022-02-01", "cu.csv"),
        ("handled", "a.csv"),
    ]
