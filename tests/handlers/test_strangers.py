"""Strangers are told how to join at most once a minute each, behind the replies to people
who are answering: 300 of them saying hello do not hold up a registered person's reply."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.runtime.outbox import queue_replies
from handlers.events import Reply
from storage import PRIORITY_BULK, PRIORITY_REPLY
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


async def test_a_stranger_is_answered_at_most_once_a_minute(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        for _ in range(5):
            await _queue(world, await world.say(5000, "xin chào"))
        await _queue(world, await world.command(5000, "baocao"))
        world.now = world.now.replace(second=0) + timedelta(minutes=1)
        await _queue(world, await world.say(5000, "alo"))
        async with world.db.read() as view:
            due = await view.outbox.due(limit=100)
    finally:
        await world.close()
    assert [m.chat_id for m in due] == ["5000", "5000"]
