"""The office sent the ticket export to the bot: fetch the file from the chat platform, read
it and save it (bot/tickets/), and tell the office the same summary as
`baocao tickets import`, queued in the transaction that publishes the tickets.

The file is read in a child process (bot/tickets/apart.py) and saved in batches of short
transactions (bot/tickets/saving.py), so nobody's reply waits behind the whole import.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.base import FileTooLarge, OutcomeUnknown, RetryLater, Unavailable
from bot.runtime.clock import Clock
from bot.runtime.outbox import queue_replies
from bot.tickets.apart import read_apart
from bot.tickets.saving import save_in_batches
from bot.tickets.sheets import TicketFileError
from bot.workspace.load import Workspace
from domain.calendar import local_day
from domain.ticket_import import ImportSummary
from handlers.events import Reply
from storage import Database, WriteTransaction
from templates.catalog import text

log = logging.getLogger(__name__)

# (channel, file reference) -> the file's bytes; FileTooLarge past the ticket files' limit.
FileFetcher = Callable[[str, str], Awaitable[bytes | bytearray]]
# A chat message holds 4096 characters; the rest of a long summary is left to the CLI.
SHOWN_CHARACTERS = 3500


def shortened(summary: str, limit: int = SHOWN_CHARACTERS) -> str:
    """The summary cut at a line break to fit a chat message, saying how much was left out."""
    if len(summary) <= limit:
        return summary
    lines = summary.split("\n")
    kept: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join([*kept, text("chat_tickets.import_cut", more=len(lines) - len(kept))])


async def run_import(
    db: Database,
    workspace: Workspace,
    clock: Clock,
    fetch: FileFetcher | None,
    chat_id: str,
    payload: dict[str, Any],
) -> None:
    """Import the file the payload names and queue the summary (or what went wrong)."""
    name = payload.get("file_name") or "?"
    reply_channel = payload["reply_channel"]
    limit = workspace.settings.tickets.limits.max_file_mb
    too_big = TicketFileError("too_big", file=name, limit=limit).message()
    failed = text("chat_tickets.import_download_failed", file=name)
    data = await fetched(db, fetch, chat_id, payload, html.escape(too_big, quote=False), failed)
    if data is None:
        return
    units = list(workspace.units)
    settings = workspace.settings
    try:
        parsed = await read_apart(data, name, settings.tickets, units)
    except TicketFileError as error:
        await _tell(db, chat_id, reply_channel, html.escape(error.message(), quote=False))
        return
    del data  # the file's bytes are no longer needed: not held while saving
    today = local_day(clock(), settings.regime.timezone)

    async def announce(tx: WriteTransaction, summary: ImportSummary) -> None:
        # The summary is plain text quoting cells of the file: escape it for Telegram's HTML.
        body = html.escape(
            shortened(text("tickets.import_summary", s=summary, chat=True)), quote=False
        )
        await queue_replies(tx, [Reply(chat_id=chat_id, text=body)], reply_channel)

    await save_in_batches(db, parsed, units, today, payload["by"], on_publish=announce)


async def fetched(
    db: Database,
    fetch: FileFetcher | None,
    chat_id: str,
    payload: dict[str, Any],
    too_big: str,
    failed: str,
) -> bytes | bytearray | None:
    """The file a job's payload names (`file_ref`, sent on `reply_channel`), or None when it
    cannot be had: the chat is then told `too_big` (past the size limit) or `failed`.

    RetryLater, Unavailable and OutcomeUnknown pass through: the platform is unreachable for
    now and the delivery worker runs the job again.
    """
    name = payload.get("file_name") or "?"
    try:
        if fetch is None:
            raise LookupError("no channel can fetch files")
        return await fetch(payload["reply_channel"], payload["file_ref"])
    except (RetryLater, Unavailable, OutcomeUnknown):
        raise
    except FileTooLarge:
        body = too_big
    except Exception:
        log.exception("fetching %r for job %s failed", name, payload.get("job"))
        body = failed
    await _tell(db, chat_id, payload["reply_channel"], body)
    return None


async def _tell(db: Database, chat_id: str, channel: str, body: str) -> None:
    async with db.write() as tx:
        await queue_replies(tx, [Reply(chat_id=chat_id, text=body)], channel)
