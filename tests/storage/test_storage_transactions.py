"""Write transactions, read snapshots, and the rules that keep them apart."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from domain.answers import Answer
from storage import (
    ConstraintError,
    Database,
    DatabaseBusyError,
    DatabaseClosedError,
    ReadView,
    StorageError,
    TransactionClosedError,
    WriteTransaction,
)
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD


class Boom(Exception):
    pass


def count_rows(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        value: int = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()
    return value


async def test_a_block_commits_when_it_ends(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(Answer("UBND_A", "BC01", PERIOD.key, "f1", "10"), "telegram:1")
        await tx.outbox.enqueue("telegram", "1", {"text": "Đã ghi"})
    assert count_rows(seeded.path, "answers") == 1
    assert count_rows(seeded.path, "revisions") == 1
    assert count_rows(seeded.path, "outbox") == 1


async def test_an_exception_rolls_back_everything(seeded: Database) -> None:
    with pytest.raises(Boom):
        async with seeded.write() as tx:
            await tx.answers.set(Answer("UBND_A", "BC01", PERIOD.key, "f1", "10"), "telegram:1")
            await tx.outbox.enqueue("telegram", "1", {"text": "Đã ghi"})
            await tx.conversations.put("telegram", "1", {"step": 2})
            raise Boom
    for table in ("answers", "revisions", "outbox", "conversations"):
        assert count_rows(seeded.path, table) == 0, table
    # The connection is usable again afterwards.
    async with seeded.write() as tx:
        await tx.conversations.put("telegram", "1", {"step": 3})
    async with seeded.read() as r:
        assert await r.conversations.get("telegram", "1") == {"step": 3}


async def test_a_constraint_error_rolls_back_the_block(seeded: Database) -> None:
    with pytest.raises(ConstraintError):
        async with seeded.write() as tx:
            await tx.outbox.enqueue("telegram", "1", {"text": "a"})
            # No obligation for this form: the answer's foreign key fails.
            await tx.answers.set(Answer("UBND_B", "BC02", PERIOD.key, "f1", "1"), "telegram:1")
    assert count_rows(seeded.path, "outbox") == 0


async def test_cancelling_a_block_rolls_it_back(seeded: Database) -> None:
    entered = asyncio.Event()

    async def slow_writer() -> None:
        async with seeded.write() as tx:
            await tx.outbox.enqueue("telegram", "1", {"text": "a"})
            entered.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_writer())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert count_rows(seeded.path, "outbox") == 0
    async with seeded.write() as tx:
        assert await tx.outbox.enqueue("telegram", "1", {"text": "b"}) is not None


async def test_read_views_have_no_write_methods(db: Database) -> None:
    async with db.read() as r:
        assert isinstance(r, ReadView)
        for name in ("set", "enqueue", "put", "store", "mark_done", "consume", "sync_all"):
            for repo in (r.answers, r.outbox, r.conversations, r.inbox, r.schedule, r.invites):
                assert not hasattr(repo, name), (type(repo).__name__, name)
    async with db.write() as tx:
        assert isinstance(tx, WriteTransaction)
        assert hasattr(tx.answers, "set") and hasattr(tx.outbox, "enqueue")


async def test_a_transaction_cannot_be_used_after_its_block(db: Database) -> None:
    async with db.write() as tx:
        pass
    with pytest.raises(TransactionClosedError):
        await tx.conversations.put("telegram", "1", {})
    async with db.read() as r:
        pass
    with pytest.raises(TransactionClosedError):
        await r.conversations.get("telegram", "1")


async def test_nested_write_in_one_task_is_refused(db: Database) -> None:
    async with db.write():
        with pytest.raises(StorageError, match="nested"):
            async with db.write():
                pass


async def test_writes_from_concurrent_tasks_run_one_at_a_time(db: Database) -> None:
    order: list[str] = []

    async def writer(name: str) -> None:
        async with db.write() as tx:
            order.append(f"{name}:start")
            state = await tx.conversations.get("telegram", "counter") or {"n": 0}
            await asyncio.sleep(0.01)  # let the other task try to interleave
            await tx.conversations.put("telegram", "counter", {"n": state["n"] + 1})
            order.append(f"{name}:end")

    await asyncio.gather(*(writer(str(i)) for i in range(5)))
    async with db.read() as r:
        assert await r.conversations.get("telegram", "counter") == {"n": 5}
    for i in range(0, len(order), 2):
        assert order[i].split(":")[0] == order[i + 1].split(":")[0]


async def test_a_read_block_sees_one_snapshot(db: Database) -> None:
    async with db.write() as tx:
        await tx.conversations.put("telegram", "1", {"v": 1})
    async with db.read() as r:
        assert await r.conversations.get("telegram", "1") == {"v": 1}
        async with db.write() as tx:
            await tx.conversations.put("telegram", "1", {"v": 2})
        # Still the snapshot taken at the block's first query.
        assert await r.conversations.get("telegram", "1") == {"v": 1}
    async with db.read() as r:
        assert await r.conversations.get("telegram", "1") == {"v": 2}


async def test_reads_do_not_wait_for_an_open_write(db: Database) -> None:
    async with db.write() as tx:
        await tx.conversations.put("telegram", "1", {"v": "uncommitted"})
        async with db.read() as r:
            assert await asyncio.wait_for(r.conversations.get("telegram", "1"), 2) is None


async def test_a_closed_database_refuses_blocks(db_path: Path, clock: FakeClock) -> None:
    db = await Database.open(db_path, clock=clock)
    await db.close()
    await db.close()  # idempotent
    with pytest.raises(DatabaseClosedError):
        async with db.write():
            pass
    with pytest.raises(DatabaseClosedError):
        async with db.read():
            pass


async def test_two_databases_on_one_file_serialise_their_writes(
    db_path: Path, clock: FakeClock
) -> None:
    first = await Database.open(db_path, clock=clock)
    second = await Database.open(db_path, clock=clock)
    try:

        async def bump(db: Database) -> None:
            async with db.write() as tx:
                state = await tx.conversations.get("telegram", "c") or {"n": 0}
                await asyncio.sleep(0.005)
                await tx.conversations.put("telegram", "c", {"n": state["n"] + 1})

        await asyncio.gather(*(bump(db) for db in (first, second) * 5))
        async with first.read() as r:
            assert await r.conversations.get("telegram", "c") == {"n": 10}
    finally:
        await first.close()
        await second.close()


async def test_a_lock_held_elsewhere_too_long_is_a_busy_error(
    db_path: Path, clock: FakeClock
) -> None:
    db = await Database.open(db_path, clock=clock, busy_timeout_ms=50)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusyError, match="locked by another process"):
            async with db.write():
                pass
        other.execute("ROLLBACK")
        async with db.write() as tx:  # usable again once the other process let go
            await tx.conversations.put("telegram", "1", {})
    finally:
        other.close()
        await db.close()


async def test_a_one_statement_read_sees_what_is_committed_and_runs_one_statement(
    db: Database,
) -> None:
    async with db.write() as tx:
        await tx.conversations.put("telegram", "1", {"v": 1})
        async with db.read(one_statement=True) as r:
            assert await r.conversations.get("telegram", "1") is None  # not committed yet
    async with db.read(one_statement=True) as r:
        assert await r.conversations.get("telegram", "1") == {"v": 1}
        with pytest.raises(StorageError, match="one statement"):
            await r.conversations.get("telegram", "1")
    async with db.read() as r:  # the connection went back to the pool clean
        assert await r.conversations.get("telegram", "1") == {"v": 1}
        assert await r.conversations.get("telegram", "2") is None


async def test_begin_waits_for_what_the_writer_thread_still_has_to_run(db: Database) -> None:
    # A COMMIT or ROLLBACK still queued on the writer's thread (its block was cancelled)
    # owns the connection: BEGIN must queue behind it instead of running on the loop.
    writer = db._writer
    release = threading.Event()
    writer._last = writer._thread.submit(release.wait)
    assert writer.begin_here() is False
    release.set()
    async with db.write() as tx:
        await tx.conversations.put("telegram", "1", {"v": 1})
    assert writer._last is not None and writer._last.done()
    assert writer.begin_here() is True  # the thread is idle: BEGIN right here
    writer.fetchall("ROLLBACK")
    assert (await db.pragmas())["writer.busy_timeout"] == 5000  # restored after trying
