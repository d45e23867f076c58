"""The delivery worker against the fake Bot API: replies go ahead of a broadcast.

A broadcast must not starve conversations: neither when the platform answers slowly and the
broadcast fills the places for messages in flight, nor through the per-chat gap that a bulk
message opens just before the person's next answer needs a reply, nor by taking a whole
second's allowance of the overall limit in one burst.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.telegram import TelegramChannel
from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime import delivery
from bot.runtime.clock import system_clock
from bot.runtime.delivery import MAX_IN_FLIGHT, REPLY_PLACES, DeliveryWorker
from bot.runtime.ratelimit import Limits, RateLimiter
from storage import PRIORITY_BULK, PRIORITY_REPLY, Database, OutboxMessage

PERSON = 5000


@dataclass
class Delivery:
    """A running delivery worker sending to the fake server."""

    db: Database
    worker: DeliveryWorker
    fake: FakeTelegramServer

    async def queue(self, chat_id: int, text: str, priority: int) -> None:
        async with self.db.write() as tx:
            await tx.outbox.enqueue("telegram", str(chat_id), {"text": text}, priority=priority)
        self.worker.wake()

    def texts(self) -> list[str]:
        return [m.text for m in self.fake.all_sent()]


async def running(
    fake: FakeTelegramServer, tmp_path: Path, limits: Limits
) -> AsyncIterator[Delivery]:
    channel = TelegramChannel(fake.token, fake.base_url)
    await channel.start()
    db = await Database.open(tmp_path / "baocao.sqlite3")
    worker = DeliveryWorker(db, {"telegram": channel}, RateLimiter(limits), system_clock)
    task = asyncio.create_task(worker.run())
    try:
        yield Delivery(db, worker, fake)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await db.close()
        await channel.stop()


@pytest.fixture
async def unlimited(fake_telegram: FakeTelegramServer, tmp_path: Path) -> AsyncIterator[Delivery]:
    """Delivery with the rate limits off, as against a local Bot API server."""
    async for running_delivery in running(fake_telegram, tmp_path, Limits(0, 0, 0)):
        yield running_delivery


@pytest.fixture
async def limited(fake_telegram: FakeTelegramServer, tmp_path: Path) -> AsyncIterator[Delivery]:
    """Delivery with Telegram's limits, which the fake enforces too."""
    fake_telegram.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
    async for running_delivery in running(fake_telegram, tmp_path, Limits()):
        yield running_delivery


@pytest.mark.slow
async def test_a_reply_overtakes_a_broadcast_the_platform_is_slow_to_take(
    unlimited: Delivery,
) -> None:
    fake = unlimited.fake
    bulk = MAX_IN_FLIGHT + 20
    for chat in [PERSON, *range(1, bulk + 1)]:
        fake.register_chat(chat)
    # Every send takes a while: a broadcast keeps as many in flight as it is allowed to.
    fake.delay_next("sendMessage", 1.5, count=10 * bulk)
    async with unlimited.db.write() as tx:
        for chat in range(1, bulk + 1):
            prompt = {"text": f"prompt {chat}"}
            await tx.outbox.enqueue("telegram", str(chat), prompt, PRIORITY_BULK)
    unlimited.worker.wake()
    while unlimited.worker.in_flight < MAX_IN_FLIGHT - REPLY_PLACES:
        await asyncio.sleep(0.01)

    await unlimited.queue(PERSON, "reply", PRIORITY_REPLY)
    await fake.wait_for_messages(PERSON, 1, timeout=30)

    # The reply found a free place at once and was taken with the first wave of prompts,
    # not after it (when every place was a prompt's, it came after 64 of them).
    texts = unlimited.texts()
    assert texts.index("reply") <= MAX_IN_FLIGHT - REPLY_PLACES
    await fake.wait_until(lambda: len(fake.all_sent()) == bulk + 1, timeout=30)


@pytest.mark.slow
async def test_a_bulk_message_waits_until_the_person_pauses(limited: Delivery) -> None:
    fake = limited.fake
    fake.register_chat(PERSON)
    await limited.queue(PERSON, "reply 1", PRIORITY_REPLY)
    await fake.wait_for_messages(PERSON, 1, timeout=10)
    # The person is answering: a prompt sent now would open the per-chat gap just before
    # the reply to their next answer is due.
    await asyncio.sleep(1.5)
    await limited.queue(PERSON, "prompt", PRIORITY_BULK)
    await asyncio.sleep(0.5)
    await limited.queue(PERSON, "reply 2", PRIORITY_REPLY)

    sent = await fake.wait_for_messages(PERSON, 3, timeout=10 + delivery.CONVERSATION_SECONDS)

    assert [m.text for m in sent] == ["reply 1", "reply 2", "prompt"]
    assert fake.count_429 == 0


@pytest.mark.slow
async def test_a_broadcast_is_spread_out_so_a_reply_finds_a_place_at_once(
    limited: Delivery,
) -> None:
    fake = limited.fake
    bulk = 40
    for chat in [PERSON, *range(1, bulk + 1)]:
        fake.register_chat(chat)
    async with limited.db.write() as tx:
        for chat in range(1, bulk + 1):
            prompt = {"text": f"prompt {chat}"}
            await tx.outbox.enqueue("telegram", str(chat), prompt, PRIORITY_BULK)
    limited.worker.wake()
    await fake.wait_until(lambda: len(fake.all_sent()) >= 1, timeout=10)

    await limited.queue(PERSON, "reply", PRIORITY_REPLY)
    await fake.wait_until(lambda: len(fake.all_sent()) == bulk + 1, timeout=30)

    # Sent in bursts, the first second's 30 prompts were all on their way before the reply
    # was queued, and it waited for their window to end. Spread out (one every 1/30 s) only
    # the first few were, and the reply went in the next free place.
    assert limited.texts().index("reply") < 10
    assert fake.count_429 == 0


async def _committed(d: Delivery, chat_id: int, texts: list[str]) -> list[OutboxMessage]:
    """Queue replies in one transaction; what it queued, as the inbox worker offers it."""
    async with d.db.write() as tx:
        for text in texts:
            await tx.outbox.enqueue("telegram", str(chat_id), {"text": text}, PRIORITY_REPLY)
    return tx.outbox.queued


async def test_offered_replies_go_without_a_look_at_the_outbox(
    unlimited: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    await asyncio.sleep(0.1)  # the worker's first look, at start, is over
    looks = 0
    send_due = unlimited.worker.send_due

    async def counted() -> float:
        nonlocal looks
        looks += 1
        return await send_due()

    monkeypatch.setattr(unlimited.worker, "send_due", counted)
    offered = await _committed(unlimited, PERSON, ["✓ Đã ghi: 259"])
    assert [m.payload for m in offered] == [{"text": "✓ Đã ghi: 259"}]
    unlimited.worker.offer(offered)
    await unlimited.fake.wait_for_messages(PERSON, 1)
    assert looks == 0  # sent straight from the offer
    await unlimited.fake.wait_until(lambda: unlimited.worker.in_flight == 0 or None)
    async with unlimited.db.read() as r:
        assert await r.outbox.pending_count() == 0  # and marked sent as any other


async def test_offered_replies_keep_their_order_behind_a_message_still_in_flight(
    unlimited: Delivery,
) -> None:
    await asyncio.sleep(0.1)
    unlimited.fake.delay_next("sendMessage", 0.5)  # the first is slow to be taken
    first = await _committed(unlimited, PERSON, ["một"])
    unlimited.worker.offer(first)
    await asyncio.sleep(0.1)  # "một" is in flight
    # A later batch's replies, offered while "một" is still in flight: they must wait for
    # it, then go in their order, also the third one offered after the second had to wait.
    unlimited.worker.offer(await _committed(unlimited, PERSON, ["hai"]))
    unlimited.worker.offer(await _committed(unlimited, PERSON, ["ba"]))
    sent = await unlimited.fake.wait_for_messages(PERSON, 3)
    assert [m.text for m in sent] == ["một", "hai", "ba"]


async def test_an_offer_made_while_a_look_is_due_leaves_the_order_to_the_look(
    unlimited: Delivery,
) -> None:
    await asyncio.sleep(0.1)
    # An older reply committed elsewhere, its look asked for but not run yet...
    async with unlimited.db.write() as tx:
        await tx.outbox.enqueue("telegram", str(PERSON), {"text": "cũ"}, PRIORITY_REPLY)
    unlimited.worker.wake()
    # ...then a newer one offered at once: the look sends both, the older first.
    unlimited.worker.offer(await _committed(unlimited, PERSON, ["mới"]))
    sent = await unlimited.fake.wait_for_messages(PERSON, 2)
    assert [m.text for m in sent] == ["cũ", "mới"]


@pytest.mark.slow
async def test_an_offered_message_not_due_yet_waits_for_its_time(unlimited: Delivery) -> None:
    await asyncio.sleep(0.1)
    later = system_clock() + timedelta(seconds=0.5)
    async with unlimited.db.write() as tx:
        await tx.outbox.enqueue(
            "telegram", str(PERSON), {"text": "sau"}, PRIORITY_REPLY, not_before=later
        )
    unlimited.worker.offer(tx.outbox.queued)
    await asyncio.sleep(0.25)
    assert unlimited.fake.sent_to(PERSON) == []  # not before its time
    sent = await unlimited.fake.wait_for_messages(PERSON, 1, timeout=5)
    assert [m.text for m in sent] == ["sau"]


@pytest.mark.slow
async def test_a_429_holds_every_chat_for_its_retry_after(
    limited: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # retry_after as PTB will hand it out
    fake = limited.fake
    for chat in (PERSON, PERSON + 1):
        fake.register_chat(chat)
    fake.fail_next("sendMessage", 429, retry_after=1)
    await limited.queue(PERSON, "told to wait", PRIORITY_REPLY)
    await fake.wait_until(lambda: fake.count_429 == 1, timeout=10)
    told = fake.calls("sendMessage")[-1].at

    # Telegram does not say which limit it was: the overall one holds every chat.
    await limited.queue(PERSON + 1, "another chat", PRIORITY_REPLY)
    (other,) = await fake.wait_for_messages(PERSON + 1, 1, timeout=10)
    (first,) = await fake.wait_for_messages(PERSON, 1, timeout=10)

    assert other.sent_at - told >= 0.9
    assert first.sent_at - told >= 0.9
    assert fake.count_429 == 1
