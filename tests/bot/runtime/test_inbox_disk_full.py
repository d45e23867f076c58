"""An event stored before the disk filled up: its handling waits, is never marked failed or
answered "internal error", and happens exactly once when space returns."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.runtime.inbox import InboxWorker
from handlers.events import EventKind, Incoming, Reply, Sender
from storage import Database, DiskFullError
from tests.support.clock import START, FakeClock
from tests.support.disk_full import cap_at_current_size, free_space


def _parse(update: dict[str, Any]) -> Incoming:
    return Incoming(Sender("telegram", "7", "7"), EventKind.TEXT, START, text=str(update["n"]))


async def _handler(event: Incoming, ctx: Any) -> list[Reply]:
    # A reply too big for any page already in the file: it needs new pages.
    return [Reply(chat_id="7", text=f"{event.text} " + "x" * 6000)]


async def test_handling_waits_for_space_then_runs_once(db: Database, clock: FakeClock) -> None:
    fulls: list[DiskFullError] = []
    writable = 0

    async def on_full(error: DiskFullError) -> None:
        fulls.append(error)

    def on_writable() -> None:
        nonlocal writable
        writable += 1

    worker = InboxWorker(
        db,
        {"telegram": _parse},
        _handler,
        lambda tx: tx,  # type: ignore[arg-type,return-value]
        clock,
        on_queued=lambda queued: None,
        on_full=on_full,
        on_writable=on_writable,
        full_retry_seconds=0.05,
    )
    async with db.write() as tx:
        await tx.inbox.store("telegram", "1", {"n": 1})
    await cap_at_current_size(db)
    task = asyncio.create_task(worker.run())
    try:
        while len(fulls) < 3:  # it keeps trying, and keeps running
            assert not task.done(), "the inbox worker stopped on a full disk"
            await asyncio.sleep(0.01)
        async with db.read() as r:
            assert [i.external_id for i in await r.inbox.next_unhandled()] == ["1"]
            assert await r.outbox.pending_count() == 0
        await free_space(db)
        while writable == 0:
            assert not task.done(), "the inbox worker stopped"
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    async with db.read() as r:
        assert await r.inbox.next_unhandled() == []
        item = await r.inbox.get(1)
        due = await r.outbox.due(clock())
    assert item is not None and item.error is None
    # One handling: its reply (split in two for length) queued once.
    assert [m.payload["text"][:2] for m in due] == ["1 ", "xx"]
    print(f"\ninbox on a full disk: {len(fulls)} failed attempts, then handled once")
