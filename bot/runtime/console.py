"""A console conversation (`baocao chat`): each typed line handled as an inbox event would be.

Durability. Each typed line is handled in one write transaction, like an inbox event: the
state change, the answers and the messages for OTHER people (prompts and reminders of
/nhacnho, notices to the office) commit together; those messages stay in the outbox for
`baocao run` to deliver. The replies to the console person are shown only after that
commit. Long work (the draft, the export) asked for from the console is run here after the
commit, and its file is written to the output folder instead of being sent.

Invite codes are never redeemed from the console (`/start CODE` is refused): that would
register the console as a real focal point.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.base import reply_to_payload
from bot.channels.console import CHANNEL, ConsoleChannel, ConsoleIdentity
from bot.channels.plaintext import plain
from bot.runtime.build import catalog_of, office_of
from bot.runtime.clock import Clock, system_clock
from bot.runtime.jobs import CHANNEL as JOBS_CHANNEL
from bot.runtime.jobs import job_documents
from bot.runtime.outbox import queue_replies
from bot.workspace.load import Workspace
from domain.report_periods import parse_report_period
from handlers.context import HandlerContext
from handlers.events import EventKind, Reply
from handlers.router import handle
from storage import Database
from templates.catalog import text
from templates.periods import period_label

log = logging.getLogger(__name__)


class ConsoleSession:
    """One console conversation against a workspace's database."""

    def __init__(
        self,
        db: Database,
        workspace: Workspace,
        identity: ConsoleIdentity,
        out_dir: Path,
        clock: Clock = system_clock,
        bot_username: str = "",
    ) -> None:
        self.db = db
        self.workspace = workspace
        self.identity = identity
        self.channel = ConsoleChannel(identity, out_dir)
        self.clock = clock
        self.catalog = catalog_of(workspace)
        office = office_of(workspace, bot_username)
        if identity.unit_code is None:
            office = replace(office, admins=office.admins | {identity.person_key})
        self.office = office

    @classmethod
    async def open(
        cls,
        workspace: Workspace,
        identity: ConsoleIdentity,
        out_dir: Path,
        clock: Clock = system_clock,
        bot_username: str = "",
    ) -> ConsoleSession:
        """Open the workspace's database (units synced from units.csv, as the bot does)."""
        db = await Database.open(workspace.settings.storage.path, clock=clock)
        try:
            async with db.write() as tx:
                await tx.units.sync_all(list(workspace.units))
        except BaseException:
            await db.close()
            raise
        return cls(db, workspace, identity, out_dir, clock, bot_username)

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()

    async def say(self, typed: str) -> list[str]:
        """Handle one typed line; what the console shows, one text per message."""
        typed = typed.strip()
        if not typed:
            return []
        now = self.clock()
        event = self.channel.event(typed, now)
        if event.kind is EventKind.COMMAND and event.command == "start" and event.argument:
            return [text("console.no_invites")]
        try:
            async with self.db.write() as tx:
                ctx = HandlerContext(
                    office=self.office,
                    catalog=self.catalog,
                    now=now,
                    tx=tx,
                    acting_for=(self.identity.unit_code,) if self.identity.unit_code else (),
                )
                replies = await handle(event, ctx)
                mine, jobs, others = self._sort(replies)
                await queue_replies(tx, others)
        except Exception:
            # Rolled back: nothing of this line was kept, and the person is told so.
            log.exception("console: handling %r failed", typed[:80])
            return [plain(text("chat.internal_error"))]
        # Committed: only now is anything shown as done.
        shown = [self.channel.draw(reply_to_payload(reply)) for reply in mine]
        for job in jobs:
            shown.append(await self._run_job(reply_to_payload(job), now))
        return [block for block in shown if block]

    def _sort(self, replies: list[Reply]) -> tuple[list[Reply], list[Reply], list[Reply]]:
        """Replies to the console person, jobs they asked for, and messages for others."""
        mine, jobs, others = [], [], []
        for reply in replies:
            if reply.channel in ("", CHANNEL):
                mine.append(reply)
            elif reply.channel == JOBS_CHANNEL and reply.extra.get("reply_channel") == CHANNEL:
                jobs.append(reply)
            else:
                others.append(reply)
        return mine, jobs, others

    async def _run_job(self, payload: dict[str, Any], now: datetime) -> str:
        """Run a job the console person asked for (the draft, the export) and draw its file."""
        try:
            documents = await job_documents(self.db, self.workspace, payload, now)
        except Exception:
            log.exception("console job %s failed", payload.get("job"))
            period = parse_report_period(payload["period"])
            return plain(text("chat.job_failed", period=period_label(period)))
        return "\n".join(self.channel.draw_document(document) for document in documents)
