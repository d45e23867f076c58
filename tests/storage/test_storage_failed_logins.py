"""Failed logins: counted per chat within a window."""

from __future__ import annotations

from datetime import timedelta

from storage import Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import START


async def test_count_since_counts_one_chat_within_the_window(
    db: Database, clock: FakeClock
) -> None:
    async with db.write() as tx:
        await tx.failed_logins.record("telegram", "111")  # at START
        clock.advance(minutes=30)
        await tx.failed_logins.record("telegram", "111")
        await tx.failed_logins.record("telegram", "111", START + timedelta(minutes=45))
        await tx.failed_logins.record("telegram", "222")
        await tx.failed_logins.record("zalo", "111")
    async with db.read() as r:
        assert await r.failed_logins.count_since("telegram", "111", START) == 3
        since = START + timedelta(minutes=30)
        assert await r.failed_logins.count_since("telegram", "111", since) == 2
        assert await r.failed_logins.count_since("telegram", "111", START + timedelta(hours=1)) == 0
        assert await r.failed_logins.count_since("telegram", "333", START) == 0


async def test_purge_forgets_old_attempts(db: Database) -> None:
    async with db.write() as tx:
        await tx.failed_logins.record("telegram", "111", START)
        await tx.failed_logins.record("telegram", "111", START + timedelta(days=2))
        assert await tx.failed_logins.purge(START + timedelta(days=1)) == 1
        assert await tx.failed_logins.count_since("telegram", "111", START) == 1
