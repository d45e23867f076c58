"""Inbox: stored once per external id, handled once, failures counted."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from storage import Database
from storage.repos import inbox, outbox
from tests.support.clock import FakeClock
from tests.support.storage_helpers import START

UPDATE = {"update_id": 7, "message": {"text": "Dân số: 1.924.862 người", "chat": {"id": 111}}}


async def test_store_and_read_back(db: Database) -> None:
    async with db.write() as tx:
        item_id = await tx.inbox.store("telegram", "7", UPDATE)
    assert item_id is not None
    async with db.read() as r:
        item = await r.inbox.get(item_id)
    assert item is not None
    assert (item.channel, item.external_id, item.payload) == ("telegram", "7", UPDATE)
    assert (item.received_at, item.handled_at, item.attempts, item.error) == (START, None, 0, None)


async def test_a_duplicate_external_id_returns_none(db: Database) -> None:
    async with db.write() as tx:
        first = await tx.inbox.store("telegram", "7", UPDATE)
        again = await tx.inbox.store("telegram", "7", {"different": True})
        other_channel = await tx.inbox.store("zalo", "7", UPDATE)
    assert first is not None and other_channel is not None and first != other_channel
    assert again is None
    async with db.read() as r:
        item = await r.inbox.get(first)
    assert item is not None and item.payload == UPDATE  # the first copy is kept


async def test_unhandled_in_order_and_handled_once(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        ids = [await tx.inbox.store("telegram", str(n), {"n": n}) for n in range(5)]
    async with db.read() as r:
        assert [i.id for i in await r.inbox.next_unhandled(limit=3)] == ids[:3]
    handled_at = clock.advance(seconds=5)
    async with db.write() as tx:
        assert ids[0] is not None and ids[1] is not None
        assert await tx.inbox.mark_handled(ids[0]) is True
        assert await tx.inbox.mark_handled(ids[0]) is False
        assert await tx.inbox.mark_handled(ids[1], error="handler failed") is True
    async with db.read() as r:
        assert [i.id for i in await r.inbox.next_unhandled()] == ids[2:]
        done = await r.inbox.get(ids[1])
    assert done is not None and (done.handled_at, done.error) == (handled_at, "handler failed")


async def test_failures_are_counted_and_poison_items_skipped(db: Database) -> None:
    async with db.write() as tx:
        item_id = await tx.inbox.store("telegram", "9", {})
        assert item_id is not None
        for n in range(3):
            assert await tx.inbox.mark_failed(item_id, f"boom {n}") is True
    async with db.read() as r:
        item = await r.inbox.get(item_id)
        assert await r.inbox.next_unhandled(max_attempts=3) == []
        assert [i.id for i in await r.inbox.next_unhandled(max_attempts=4)] == [item_id]
    assert item is not None and (item.attempts, item.error) == (3, "boom 2")


async def test_purge_handled(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        stored = [await tx.inbox.store("telegram", str(n), {}) for n in range(5)]
        old, pending, given_up = [i for i in stored[:3] if i], stored[3], stored[4]
        assert len(old) == 3 and pending is not None and given_up is not None
        for item_id in old:
            await tx.inbox.mark_handled(item_id)
        for n in range(5):
            await tx.inbox.mark_failed(given_up, f"boom {n}")
        cutoff = START + timedelta(days=1)
        assert await tx.inbox.purge_handled(cutoff, limit=2) == 2
        assert await tx.inbox.purge_handled(cutoff, limit=2) == 1
        assert await tx.inbox.purge_handled(cutoff, limit=2) == 0
        assert [await tx.inbox.get(i) for i in old] == [None, None, None]
        # Unhandled, even after every attempt failed: kept, whatever its age.
        assert await tx.inbox.get(pending) is not None
        assert await tx.inbox.get(given_up) is not None
        # Handled after the cutoff: kept.
        clock.advance(days=2)
        await tx.inbox.mark_handled(pending)
        assert await tx.inbox.purge_handled(cutoff) == 0


async def test_purges_find_their_rows_by_index(db: Database, db_path: Path) -> None:
    """A purge batch must not read the whole table (payloads and all) under the write lock."""
    conn = sqlite3.connect(db_path)
    try:
        for sql, index in (
            (inbox._PURGE, "inbox_handled_at"),
            (outbox._PURGE, "outbox_settled_at"),
        ):
            plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", ("x", 1)))
            assert f"INDEX {index}" in plan, plan
    finally:
        conn.close()
