"""The console channel: one person talks to the bot in a terminal (`baocao chat`).

Identity. The console is run by someone who already holds the database (an administrator,
a trainer, support), so it needs no invite: `--unit CODE` acts as a focal point of that unit
through `HandlerContext.acting_for`, without any focal point registration being added or
changed; `--office` acts as office staff. The sender is ``console:<login>@<UNIT|office>``,
so every answer is stored as a revision whose author is recognisably the console.

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
import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.base import queue_replies, reply_to_payload
from bot.channels.plaintext import draw, plain
from bot.runtime.app import App, catalog_of
from bot.runtime.clock import Clock, system_clock
from bot.runtime.jobs import CHANNEL as JOBS_CHANNEL
from bot.runtime.jobs import job_document
from bot.workspace.load import Workspace
from domain.periods import parse_period
from handlers.context import HandlerContext
from handlers.events import Document, EventKind, Incoming, Reply, Sender, typed_event
from handlers.router import handle
from storage import Database
from templates.catalog import set_timezone, text

log = logging.getLogger(__name__)

CHANNEL = "console"
OFFICE = "office"
_UNSAFE_FILE_NAME = re.compile(r"[^\w.\-]+")


@dataclass(frozen=True, slots=True)
class ConsoleIdentity:
    """Who the console person is: a unit's focal point (unit code) or office staff (None)."""

    login: str
    unit_code: str | None = None

    @property
    def user_id(self) -> str:
        """The sender id, e.g. "lan@SYT" or "lan@office"."""
        return f"{self.login}@{self.unit_code or OFFICE}"

    @property
    def person_key(self) -> str:
        """The author of what the console stores, e.g. "console:lan@SYT"."""
        return f"{CHANNEL}:{self.user_id}"


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
        self.out_dir = out_dir
        self.clock = clock
        self.catalog = catalog_of(workspace)
        office = App(workspace).office()
        admins = office.admins
        if identity.unit_code is None:
            admins = admins | {identity.person_key}
        self.office = replace(
            office, admins=admins, bot_username=bot_username or office.bot_username
        )
        self.sender = Sender(CHANNEL, identity.user_id, identity.user_id, identity.login)
        self._count = 0

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
        set_timezone(workspace.settings.regime.timezone)
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

    def event(self, typed: str, now: datetime) -> Incoming:
        """A typed line as the event a chat platform would deliver."""
        self._count += 1
        ref = f"{self.identity.person_key}:{now.isoformat()}:{self._count}"
        return typed_event(self.sender, typed, now, ref)

    async def say(self, typed: str) -> list[str]:
        """Handle one typed line; what the console shows, one text per message."""
        typed = typed.strip()
        if not typed:
            return []
        now = self.clock()
        event = self.event(typed, now)
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
        shown = [self._draw(reply_to_payload(reply)) for reply in mine]
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

    def _draw(self, payload: dict[str, Any]) -> str:
        """A reply as plain text with numbered choices; a document is written to a file."""
        return draw(payload, self._draw_document)

    async def _run_job(self, payload: dict[str, Any], now: datetime) -> str:
        """Run a job the console person asked for (the draft, the export) and draw its file."""
        try:
            document = await job_document(self.db, self.workspace, payload, now)
        except Exception:
            log.exception("console job %s failed", payload.get("job"))
            period = parse_period(payload["period"])
            return plain(text("chat.job_failed", period=period.label))
        return self._draw_document(document)

    def _draw_document(self, document: Document) -> str:
        path = self.write_file(document)
        written = text("console.file_written", path=str(path))
        return f"{plain(document.caption)}\n\n{written}" if document.caption else written

    def write_file(self, document: Document) -> Path:
        """Write a document into the output folder under its own (sanitised) name."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        name = _UNSAFE_FILE_NAME.sub("_", Path(document.file_name).name).lstrip(".") or "tep"
        path = (self.out_dir / name).resolve()
        path.write_bytes(document.content)
        return path
