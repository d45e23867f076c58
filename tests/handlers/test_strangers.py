"""Strangers are told how to join at most once a minute each, behind the replies to people
who are answering: 300 of them saying hello do not hold up a registered person's reply."""

from __future__ import annotations

from pathlib import Path

from bot.runtime.outbox import queue_replies
from handlers.events import EventKind, Incoming, Reply, Sender
from handlers.registration import stranger_reply
from storage import PRIORITY_BULK, PRIORITY_REPLY, Database
from tests.support.clock import FakeClock
from tests.support.world import World

A = 1001
STRANGERS = range(5000, 5300)


async def _queue(world: World, replies: list[Reply]) -> None:
    async with world.db.write() as tx:
        await queue_replies(tx, replies)


async def test_a_registered_reply_goes_before_300_strangers_hellos(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "BDT")
        await world.command(A, "baocao")
        for stranger in STRANGERS:
            await _queue(world, await world.say(stranger, "xin chào"))
        await _queue(world, await world.say(A, "259"))
        async with world.db.read() as view:
            due = await view.outbox.due(limit=400)
    finally:
        await world.close()
    assert due[0].chat_id == str(A) and due[0].priority == PRIORITY_REPLY
    strangers = [m for m in due if int(m.chat_id) in STRANGERS]
    assert len(strangers) == 300
    assert {m.priority for m in strangers} == {PRIORITY_BULK}


async def test_a_stranger_is_answered_at_most_once_a_minute(db: Database, clock: FakeClock) -> None:
    hello = Incoming(Sender("telegram", "5000", "5000", "Lạ"), EventKind.TEXT, clock(), "alo")
    for seconds in (0, 10, 59):
        clock.now = clock.now.replace(second=seconds)
        async with db.write() as tx:
            await queue_replies(tx, [stranger_reply(hello)] * 2)
    clock.advance(minutes=1)
    async with db.write() as tx:
        await queue_replies(tx, [stranger_reply(hello)])
    async with db.read() as view:
        due = await view.outbox.due(clock(), limit=100)
    assert [m.chat_id for m in due] == ["5000", "5000"]
