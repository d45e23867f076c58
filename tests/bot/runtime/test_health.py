"""GET /healthz's reasons: a full disk, a platform not reached, an outbox that waits."""

from __future__ import annotations

from datetime import UTC, timedelta

from bot.runtime.health import HealthCheck, Reachability
from bot.runtime.outage import StorageOutage
from storage import Database
from tests.support.clock import FakeClock


async def test_ok_when_nothing_waits_and_every_platform_answers(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.outbox.enqueue("telegram", "77", {"text": "hello"})
    assert await HealthCheck(db, Reachability(), clock).reasons() == []


async def test_a_message_due_for_long_is_a_backlog(db: Database, clock: FakeClock) -> None:
    async with db.write() as tx:
        await tx.outbox.enqueue("telegram", "77", {"text": "hello"})
        later = clock() + timedelta(hours=1)
        await tx.outbox.enqueue("telegram", "78", {"text": "later"}, not_before=later)
    check = HealthCheck(db, Reachability(), clock)
    clock.advance(minutes=6)
    assert await check.reasons() == ["outbox backlog: a message due for 6 min"]


async def test_a_platform_not_reached_until_it_answers_again(
    db: Database, clock: FakeClock
) -> None:
    reach = Reachability()
    check = HealthCheck(db, reach, clock)
    reach.failed("zalo", ConnectionError("refused"))
    assert await check.reasons() == ["platform unreachable: zalo (ConnectionError)"]
    reach.reached("zalo")
    assert await check.reasons() == []


async def test_a_full_disk(db: Database, clock: FakeClock) -> None:
    outage = StorageOutage(dict, {}, [], clock, UTC)
    outage.active = True
    assert await HealthCheck(db, Reachability(), clock, outage).reasons() == ["disk full"]
