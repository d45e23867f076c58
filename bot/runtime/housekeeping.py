"""Housekeeping: deleting the old traffic records that would otherwise grow the database forever.

Only the inbox's handled updates and the outbox's settled messages (sent, or given up on)
older than `[storage] keep_days` go, plus failed invite attempts of that age, and the
dashboard's sessions once expired or ended and its used login links a day after use. Unhandled
updates, queued messages and those of unknown outcome stay whatever their age; answers,
revisions, tickets and everything else are never touched.

Deletes run in small batches, each its own short write transaction, yielding between them,
so that the bot's other writers (a person's answer, the delivery worker) wait at most one
batch. Runs at start and once a day (from `bot.runtime.timetable`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.runtime.clock import Clock
from storage import Database, StorageError

log = logging.getLogger(__name__)

BATCH = 500
# A purge stops after this many batches and finishes on the next day's run, so that a first
# run on a large old database does not keep the disk busy for long.
MAX_BATCHES = 200
# A used login link's nonce is kept this long: the link itself is valid for 10 minutes
# (domain/web_login.py), the margin covers the clocks of other processes making links.
USED_LINKS_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Purged:
    """Rows deleted by one run."""

    inbox: int = 0
    outbox: int = 0
    failed_logins: int = 0
    web_sessions: int = 0
    web_links: int = 0


async def purge_old(
    db: Database,
    keep_days: int,
    clock: Clock,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> Purged:
    """Delete handled updates and settled messages settled more than `keep_days` ago, and
    the dashboard's dead sessions and used login links (see the module's docstring)."""
    cutoff = clock() - timedelta(days=keep_days)
    inbox = outbox = 0
    for _ in range(max_batches):
        async with db.write() as tx:
            deleted_in = await tx.inbox.purge_handled(cutoff, batch)
            deleted_out = await tx.outbox.purge_settled(cutoff, batch)
        inbox += deleted_in
        outbox += deleted_out
        if deleted_in < batch and deleted_out < batch:
            break
        await asyncio.sleep(0)  # let waiting writers have the lock between batches
    now = clock()
    async with db.write() as tx:
        logins = await tx.failed_logins.purge(cutoff)
        sessions, links = await tx.web.purge(now, now - USED_LINKS_KEPT)
    return Purged(inbox, outbox, logins, sessions, links)


async def housekeeping(db: Database, keep_days: int, clock: Clock) -> Purged | None:
    """`purge_old`, logged; a storage error (a full disk, say) is logged, not raised:
    the next day's run tries again, and nothing depends on the purge."""
    try:
        purged = await purge_old(db, keep_days, clock)
    except StorageError as error:
        log.warning("housekeeping failed (%s); trying again tomorrow", error)
        return None
    if purged.inbox or purged.outbox or purged.failed_logins:
        log.info(
            "housekeeping: deleted %d handled updates, %d settled messages, %d failed "
            "invite attempts older than %d days",
            purged.inbox,
            purged.outbox,
            purged.failed_logins,
            keep_days,
        )
    if purged.web_sessions or purged.web_links:
        log.info(
            "housekeeping: deleted %d dashboard sessions expired or ended, %d used login links",
            purged.web_sessions,
            purged.web_links,
        )
    return purged
