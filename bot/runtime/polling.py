"""Long polling: store each update before Telegram is told it was received.

Telegram keeps an update until a later getUpdates passes an offset above its id. We store the
batch first and only then ask for the next one with the higher offset, so a crash between
the two gets the same updates again, and the inbox's unique key drops the repeats.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, Protocol

from bot.runtime.inbox import store_batch
from storage import Database, DiskFullError

if TYPE_CHECKING:
    from bot.runtime.inbox import InboxWorker
    from bot.runtime.outage import StorageOutage

log = logging.getLogger(__name__)


class UpdateSource(Protocol):
    """A channel that can be polled."""

    name: str

    async def fetch_updates(self, offset: int | None) -> list[dict[str, Any]]:
        """Updates after `offset` (long poll)."""
        ...


async def store_updates(db: Database, channel: str, updates: list[dict[str, Any]]) -> int:
    """Keep a batch of updates in the inbox in one transaction; return how many were new."""
    async with db.write() as tx:
        return await store_batch(tx, channel, updates)


async def poll_forever(
    source: UpdateSource,
    inbox: InboxWorker,
    retry_seconds: float = 2.0,
    outage: StorageOutage | None = None,
) -> None:
    """Fetch, store, confirm, forever; network errors are logged and retried.

    A batch is handled in the transaction that stores it (`InboxWorker.store_and_handle`).

    With a full database the same batch is fetched again and again (offset unchanged) until
    it can be stored; `outage` tells the senders and the office, and logs it once.
    """
    offset: int | None = None
    while True:
        try:
            updates = await source.fetch_updates(offset)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning(
                "getUpdates failed (%s); retrying in %.0f s", type(error).__name__, retry_seconds
            )
            await asyncio.sleep(retry_seconds)
            continue
        if not updates:
            continue
        try:
            await inbox.store_and_handle(source.name, updates)
        except asyncio.CancelledError:
            raise
        except DiskFullError as error:
            # Not stored, so not confirmed: Telegram keeps them until space returns.
            if outage is None:
                log.error("database full; %d updates wait at %s", len(updates), source.name)
            else:
                await outage.full(error)
                await outage.refused(source.name, updates)
            await asyncio.sleep(retry_seconds)
            continue
        except Exception as error:
            # Not stored, so not confirmed: the next getUpdates (same offset) returns them.
            log.error(
                "storing %d updates failed (%s); retrying in %.0f s",
                len(updates),
                type(error).__name__,
                retry_seconds,
            )
            await asyncio.sleep(retry_seconds)
            continue
        if outage is not None:
            outage.cleared()
        offset = max(int(u["update_id"]) for u in updates) + 1
