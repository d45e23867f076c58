"""The office sent the ticket export to the bot: fetch the file from the chat platform, read
it and save it (bot/tickets/), and tell the office the same summary as
`baocao tickets import`, queued in the transaction that publishes the tickets.

The file is read in a child process: parsing 100,000 rows in a thread of the bot held the
GIL enough to slow every reply to about a second. It is saved in batches of short
transactions (bot/tickets/saving.py), so nobody's reply waits behind the whole import.
"""

from __future__ import annotations

import asyncio
import html
import logging
import multiprocessing
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bot.channels.base import OutcomeUnknown, RetryLater, Unavailable
from bot.runtime.clock import Clock
from bot.runtime.outbox import queue_replies
from bot.tickets.reading import TicketFile, read_ticket_file
from bot.tickets.saving import save_in_batches
from bot.tickets.sheets import TicketFileError
from bot.workspace.load import Workspace
from bot.workspace.settings import TicketSettings
from domain.calendar import local_day
from domain.ticket_import import ImportSummary
from domain.units import Unit
from handlers.events import Reply
from storage import Database, WriteTransaction
from templates.catalog import text

log = logging.getLogger(__name__)

# (channel, file reference) -> the file's bytes.
FileFetcher = Callable[[str, str], Awaitable[bytes]]
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
    try:
        if fetch is None:
            raise LookupError("no channel can fetch files")
        data = await fetch(reply_channel, payload["file_ref"])
    except (RetryLater, Unavailable, OutcomeUnknown):
        raise  # the platform is unreachable for now: the delivery worker runs the job again
    except Exception:
        log.exception("fetching %r for a ticket import failed", name)
        await _tell(
            db, chat_id, reply_channel, text("chat_tickets.import_download_failed", file=name)
        )
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


async def read_apart(
    data: bytes, name: str, settings: TicketSettings, units: Sequence[Unit]
) -> TicketFile:
    """`read_ticket_file` in a child process of its own, started for this file and gone
    after it (its memory with it). TicketFileError as the reading raised it."""
    # spawn: forking a process that runs threads (the database's) is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, _read, data, name, settings, units)


def _read(data: bytes, name: str, settings: TicketSettings, units: Sequence[Unit]) -> TicketFile:
    """What the child process runs."""
    return read_ticket_file(data, name, settings, units)


async def _tell(db: Database, chat_id: str, channel: str, body: str) -> None:
    async with db.write() as tx:
        await queue_replies(tx, [Reply(chat_id=chat_id, text=body)], channel)
