"""Long polling, one loop for every channel: fetch, store, and only then confirm.

Telegram keeps an update until a later getUpdates passes an offset above its id, so its
cursor confirms a batch by raising the offset, and a batch that was not stored is simply
fetched again. Zalo hands an update out once (no offset), so its cursor holds an update
until it is stored and offers it again instead of fetching a new one. A crash between
storing and confirming gets the same updates again; the inbox's unique key drops the
repeats. Storing goes through `Ingress` (which also tells people when the disk is full).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from bot.channels import telegram
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.runtime.health import Reachability
from bot.runtime.ingress import Ingress

log = logging.getLogger(__name__)

Updates = list[dict[str, Any]]


class Cursor(Protocol):
    """Where a channel's polling stands: what to fetch next, and how to confirm a batch."""

    name: str

    async def fetch(self) -> Updates:
        """The next updates not yet confirmed (long poll); empty when none came."""
        ...

    def confirm(self, updates: Updates) -> None:
        """These updates are stored: the next fetch may leave them behind."""
        ...


class TelegramCursor:
    """getUpdates with an offset: confirming a batch raises the offset above its ids."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel
        self.name = channel.name
        self.offset: int | None = None

    async def fetch(self, timeout: int | None = None) -> Updates:
        """Updates after the offset; those of a batch not confirmed come again."""
        return await self.channel.fetch_updates(self.offset, timeout=timeout)

    def confirm(self, updates: Updates) -> None:
        """Ask for updates after this batch from now on (an update without an id, which
        the inbox leaves out too, moves nothing)."""
        ids = [int(key) for u in updates if (key := telegram.update_key(u)) is not None]
        if ids:
            self.offset = max(ids) + 1


class ZaloCursor:
    """Zalo's getUpdates gives one update, once: one not yet confirmed is held and given
    again, before any new one is fetched."""

    def __init__(self, channel: ZaloChannel) -> None:
        self.channel = channel
        self.name = channel.name
        self._held: Updates = []

    async def fetch(self) -> Updates:
        """The held update, or the next one from Zalo."""
        if not self._held:
            update = await self.channel.fetch_update()
            self._held = [update] if update is not None else []
        return self._held

    def confirm(self, updates: Updates) -> None:
        """The held update is stored: let it go."""
        self._held = []


async def poll_forever(
    cursor: Cursor,
    ingress: Ingress,
    retry_seconds: float = 2.0,
    reachability: Reachability | None = None,
) -> None:
    """Fetch, store, confirm, forever; errors are logged and retried.

    A batch is handled in the transaction that stores it (`Ingress.polled`). A batch that
    could not be stored (a full database, or any other error) is not confirmed: after
    `retry_seconds` the cursor gives it again.
    """
    while True:
        try:
            updates = await cursor.fetch()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if reachability is not None:
                reachability.failed(cursor.name, error)
            log.warning(
                "%s getUpdates failed (%s); retrying in %.0f s",
                cursor.name,
                type(error).__name__,
                retry_seconds,
            )
            await asyncio.sleep(retry_seconds)
            continue
        if reachability is not None:
            reachability.polled(cursor.name)
        if not updates:
            continue
        if await _stored(cursor.name, updates, ingress, retry_seconds):
            cursor.confirm(updates)
        else:
            await asyncio.sleep(retry_seconds)


async def _stored(channel: str, updates: Updates, ingress: Ingress, retry_seconds: float) -> bool:
    """Whether the batch is stored; a failure other than a full disk is logged."""
    try:
        return await ingress.polled(channel, updates)
    except asyncio.CancelledError:
        raise
    except Exception as error:
        log.error(
            "storing %d %s updates failed (%s); retrying in %.0f s",
            len(updates),
            channel,
            type(error).__name__,
            retry_seconds,
        )
        return False
