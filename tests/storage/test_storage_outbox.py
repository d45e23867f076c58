"""Outbox: order by priority then arrival, dedup, scheduling and the outcomes of sending."""

from __future__ import annotations

from datetime import timedelta

from storage import PRIORITY_BULK, PRIORITY_REPLY, Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import START


async def test_due_orders_by_priority_then_id(db: Database) -> None:
    async with db.write() as tx:
        bulk1 = await tx.outbox.enqueue("telegram", "1", {"n": 1}, priority=PRIORITY_BULK)
        reply1 = await tx.outbox.enqueue("telegram", "2", {"n": 2})
        bulk2 = await tx.outbox.enqueue("zalo", "3", {"n": 3}, priority=PRIORITY_BULK)
        reply2 = await tx.outbox.enqueue("telegram", "4", {"n": 4}, priority=PRIORITY_REPLY)
    async with db.read() as r:
        due = await r.outbox.due()
        first_two = await r.outbox.due(limit=2)
    assert [m.id for m in due] == [reply1, reply2, bulk1, bulk2]
    assert [m.id for m in first_two] == [reply1, reply2]
    message = due[2]
    assert (message.channel, message.chat_id, message.payload) == ("telegram", "1", {"n": 1})
    assert (message.priority, message.created_at, message.attempts) == (10, START, 0)


async def test_dedup_key_queues_once(db: Database) -> None:
    async with db.write() as tx:
        first = await tx.outbox.enqueue("telegram", "1", {"t": "nhắc"}, dedup_key="remind:A:d-1")
        again = await tx.outbox.enqueue("telegram", "1", {"t": "nhắc"}, dedup_key="remind:A:d-1")
        no_key_1 = await tx.outbox.enqueue("telegram", "1", {"t": "a"})
        no_key_2 = await tx.outbox.enqueue("telegram", "1", {"t": "a"})
    assert first is not None and again is None
    assert no_key_1 is not None and no_key_2 is not None and no_key_1 != no_key_2
    async with db.read() as r:
        assert await r.outbox.pending_count() == 3
        message = await r.outbox.get(first)
    assert message is not None and message.dedup_key == "remind:A:d-1"


async def test_not_before_holds_messages_back(db: Database, clock: FakeClock) -> None:
    later = START + timedelta(hours=8)
    async with db.write() as tx:
        held = await tx.outbox.enqueue("telegram", "1", {}, not_before=later)
    async with db.read() as r:
        assert await r.outbox.due() == []
        assert [m.id for m in await r.outbox.due(now=later)] == [held]
        assert await r.outbox.pending_count() == 1


async def test_sent_and_failed_messages_leave_the_queue(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        sent = await tx.outbox.enqueue("telegram", "1", {})
        failed = await tx.outbox.enqueue("telegram", "2", {})
    assert sent is not None and failed is not None
    sent_at = clock.advance(seconds=1)
    async with db.write() as tx:
        assert await tx.outbox.mark_sent(sent) is True
        assert await tx.outbox.mark_sent(sent) is False
        assert await tx.outbox.mark_failed(failed, "Forbidden: bot was blocked") is True
        assert await tx.outbox.mark_sent(failed) is False
    async with db.read() as r:
        assert await r.outbox.due() == []
        assert await r.outbox.pending_count() == 0
        s, f = await r.outbox.get(sent), await r.outbox.get(failed)
    assert s is not None and (s.sent_at, s.attempts) == (sent_at, 1)
    assert f is not None and (f.failed_at, f.last_error) == (sent_at, "Forbidden: bot was blocked")


async def test_mark_sent_many_settles_only_the_unsettled(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        ids = [await tx.outbox.enqueue("telegram", str(n), {}) for n in range(4)]
        waiting = await tx.outbox.enqueue("telegram", "9", {})
    assert None not in ids and waiting is not None
    first, second, failed, unknown = (i for i in ids if i is not None)
    sent_at = clock.advance(seconds=1)
    async with db.write() as tx:
        assert await tx.outbox.mark_sent(first) is True
        assert await tx.outbox.mark_failed(failed, "Forbidden") is True
        assert await tx.outbox.mark_unknown(unknown, "timeout") is True
        # An unknown outcome that turns out delivered is settled too; the others are not.
        assert await tx.outbox.mark_sent_many([first, second, failed, unknown]) == 2
    async with db.read() as r:
        assert [m.id for m in await r.outbox.due()] == [waiting]
        settled = [await r.outbox.get(i) for i in (first, second, unknown)]
    assert [(m.sent_at, m.attempts) for m in settled if m is not None] == [
        (sent_at, 1),
        (sent_at, 1),
        (sent_at, 2),
    ]


async def test_reschedule_retries_later(db: Database) -> None:
    retry_at = START + timedelta(seconds=30)
    async with db.write() as tx:
        message_id = await tx.outbox.enqueue("telegram", "1", {})
        assert message_id is not None
        assert await tx.outbox.reschedule(message_id, retry_at, "429 Too Many Requests") is True
        assert await tx.outbox.due() == []
        [message] = await tx.outbox.due(now=retry_at)
    assert (message.not_before, message.attempts) == (retry_at, 1)
    assert message.last_error == "429 Too Many Requests"


async def test_unknown_outcomes_are_held_out_until_decided(db: Database) -> None:
    async with db.write() as tx:
        message_id = await tx.outbox.enqueue("telegram", "1", {})
        assert message_id is not None
        assert await tx.outbox.mark_unknown(message_id, "timeout") is True
        assert await tx.outbox.due() == []
        assert await tx.outbox.pending_count() == 0
        [unknown] = await tx.outbox.unknown()
        assert unknown.id == message_id and unknown.unknown_outcome
        # Someone decides to send it again.
        assert await tx.outbox.reschedule(message_id, START) is True
        [again] = await tx.outbox.due()
    assert again.id == message_id and not again.unknown_outcome
    assert (again.attempts, again.last_error) == (2, "timeout")


async def test_purge_settled(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        sent = await tx.outbox.enqueue("telegram", "1", {}, dedup_key="k")
        failed = await tx.outbox.enqueue("telegram", "2", {})
        unknown = await tx.outbox.enqueue("telegram", "3", {})
        queued = await tx.outbox.enqueue("telegram", "4", {})
        assert sent and failed and unknown and queued
        await tx.outbox.mark_sent(sent)
        await tx.outbox.mark_failed(failed, "blocked")
        await tx.outbox.mark_unknown(unknown, "timeout")
        assert await tx.outbox.purge_settled(START + timedelta(days=30), limit=1) == 1
        assert await tx.outbox.purge_settled(START + timedelta(days=30)) == 1
        assert await tx.outbox.purge_settled(START + timedelta(days=30)) == 0
        assert await tx.outbox.get(sent) is None and await tx.outbox.get(failed) is None
        # Still waiting (to be sent, or for a person to decide): kept.
        assert await tx.outbox.get(unknown) is not None
        assert await tx.outbox.get(queued) is not None
        assert await tx.outbox.enqueue("telegram", "1", {}, dedup_key="k") is not None


async def test_a_sent_message_is_found_by_the_id_its_platform_gave_it(db: Database) -> None:
    async with db.write() as tx:
        asked = await tx.outbox.enqueue("telegram", "7", {"text": "Câu 3", "asks": "q3"})
        other = await tx.outbox.enqueue("telegram", "8", {"text": "Câu 3"})
        unmarked = await tx.outbox.enqueue("telegram", "7", {"text": "Câu 4"})
        assert asked is not None and other is not None and unmarked is not None
        await tx.outbox.mark_sent_many([asked, other, unmarked], platform_refs={asked: "41"})
        await tx.outbox.mark_sent(other, platform_ref="41")  # settled already: kept as it was
    async with db.read() as r:
        found = await r.outbox.sent_as("telegram", "7", "41")
        in_other_chat = await r.outbox.sent_as("telegram", "8", "41")
        on_other_channel = await r.outbox.sent_as("zalo", "7", "41")
        never_given = await r.outbox.sent_as("telegram", "7", "42")
    assert found is not None and found.id == asked and found.payload["asks"] == "q3"
    assert found.platform_ref == "41"
    assert in_other_chat is None and on_other_channel is None and never_given is None
