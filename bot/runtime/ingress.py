"""The one way updates come in: each is stored in the inbox before its platform is told it
was received.

Every update, polled (Telegram, Zalo: `bot.runtime.polling`) or posted to a webhook
(`bot.runtime.webhook`), enters through `Ingress`. The platform learns that an update was
received (the next getUpdates offset, the next Zalo poll, the webhook's 200) only after the
update is committed, so nothing acknowledged is ever lost. When the database is full nothing
is stored and so nothing is acknowledged: the platform keeps the update (a Zalo poll's is
held by the poller) and offers it again, while `StorageOutage` tells its sender and the
office, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels import zalo
from bot.channels.base import shape
from bot.runtime.inbox import InboxWorker, store_updates
from bot.runtime.outage import StorageOutage
from bot.runtime.webhook import TryLater
from storage import DiskFullError

log = logging.getLogger(__name__)

Updates = list[dict[str, Any]]
Store = Callable[[str, Updates], Awaitable[object]]
Unwrap = Callable[[dict[str, Any]], dict[str, Any] | None]


def _bare(body: dict[str, Any]) -> dict[str, Any] | None:
    return body


# How each channel's webhook body holds its update (Telegram posts the bare update).
UNWRAP: dict[str, Unwrap] = {zalo.CHANNEL: zalo.unwrap}


class Ingress:
    """Stores updates from every channel in the inbox; the disk-full case is handled here."""

    def __init__(self, inbox: InboxWorker, outage: StorageOutage | None = None) -> None:
        self.inbox = inbox
        self.outage = outage

    async def polled(self, channel: str, updates: Updates) -> bool:
        """Store a polled batch and handle it in the same transaction (one disk sync, see
        `InboxWorker.store_and_handle`); whether it was stored, and so may be confirmed.

        A full database gives False; any other failure to store is raised.
        """
        return await self._store(channel, updates, self.inbox.store_and_handle)

    async def pushed(self, channel: str, updates: Updates) -> bool:
        """Store updates a platform posted and wake the inbox worker to handle them (the
        platform gets its answer without waiting for the handling); whether they were stored.
        """
        return await self._store(channel, updates, self._store_and_wake)

    def webhook(self, channel: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        """What a webhook route does with a posted body: store its update, or raise TryLater
        (the server answers 503 and the platform delivers it again later).

        A body with no update in it is logged by its shape and answered 200 like a stored
        one: the platform would only post the same body again.
        """
        unwrap = UNWRAP.get(channel, _bare)

        async def accept(body: dict[str, Any]) -> None:
            update = unwrap(body)
            if update is None:
                log.warning("%s webhook body without an update dropped: %s", channel, shape(body))
                return
            if not await self.pushed(channel, [update]):
                raise TryLater("database full")

        return accept

    async def _store_and_wake(self, channel: str, updates: Updates) -> None:
        if await store_updates(self.inbox.db, channel, updates):
            self.inbox.wake()

    async def _store(self, channel: str, updates: Updates, store: Store) -> bool:
        try:
            await store(channel, updates)
        except DiskFullError as error:
            # Not stored, so not acknowledged: the platform keeps them until space returns.
            if self.outage is None:
                log.error("database full; %d updates wait at %s", len(updates), channel)
            else:
                await self.outage.full(error)
                await self.outage.refused(channel, updates)
            return False
        if self.outage is not None:
            self.outage.cleared()
        return True
