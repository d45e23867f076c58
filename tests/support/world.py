"""The handlers in-process on a real SQLite file: events in, replies out, no chat platform.

The office, units and forms are those of the end-to-end tests (tests/e2e/harness.py): units
BDT, SYT and VP, office staff 900, period 02/2022 open. Each event is handled in its own
write transaction, as the inbox worker does.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bot.runtime.build import catalog_of
from bot.tickets.saving import import_tickets
from bot.workspace.load import load_workspace
from handlers.context import Catalog, HandlerContext, Office
from handlers.events import EventKind, Incoming, Reply, Sender
from handlers.registration import create_invite
from handlers.router import handle
from storage import Database
from tests.support.clock import START
from tests.support.harness import OFFICE_USER, write_workspace

# Tables whose rows are what a person may change (or see changed): everything but the
# conversation state, failed logins and the platform queues.
PRIVATE_STATE = frozenset({"conversations", "failed_logins", "inbox", "outbox"})


@dataclass
class World:
    """One office's database and settings, and a way to send it chat events."""

    db: Database
    path: Path
    office: Office
    catalog: Catalog
    now: datetime = START
    _messages: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    async def open(cls, folder: Path) -> World:
        """A new office in `folder` (writes the workspace files and the database)."""
        config = write_workspace(folder, "http://127.0.0.1:9")
        workspace = load_workspace(config)
        path = workspace.settings.storage.path
        db = await Database.open(path, synchronous="OFF")
        async with db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
        office = Office(
            name=workspace.settings.office.name,
            admins=frozenset({f"telegram:{OFFICE_USER}"}),
            drafts_chat=str(OFFICE_USER),
            bot_username="baocao_bot",
        )
        return cls(db, path, office, catalog_of(workspace))

    async def close(self) -> None:
        await self.db.close()

    def event(
        self,
        user: int,
        kind: EventKind,
        *,
        text: str = "",
        command: str = "",
        argument: str = "",
        button: str = "",
    ) -> Incoming:
        """An event from Telegram user `user` in their private chat."""
        sender = Sender("telegram", str(user), str(user), f"Người {user}")
        ref = f"telegram:{user}:{next(self._messages)}"
        return Incoming(
            sender,
            kind,
            self.now,
            text=text,
            command=command,
            argument=argument,
            button=button,
            message_ref=ref,
        )

    async def send(self, event: Incoming) -> list[Reply]:
        """Handle one event in one transaction; the replies it causes."""
        async with self.db.write() as tx:
            ctx = HandlerContext(self.office, self.catalog, self.now, tx)
            return await handle(event, ctx)

    async def say(self, user: int, typed: str) -> list[Reply]:
        return await self.send(self.event(user, EventKind.TEXT, text=typed))

    async def command(self, user: int, name: str, argument: str = "") -> list[Reply]:
        return await self.send(self.event(user, EventKind.COMMAND, command=name, argument=argument))

    async def press(self, user: int, data: str) -> list[Reply]:
        return await self.send(self.event(user, EventKind.BUTTON, button=data))

    async def import_tickets(self, export: bytes, today: date) -> None:
        """Import a ticket export (CSV) as `baocao tickets import` would, on `today`."""
        settings = load_workspace(self.path.parent / "config.toml").settings.tickets
        async with self.db.write() as tx:
            await import_tickets(
                tx, export, "phieu.csv", settings=settings, today=today, changed_by="test"
            )

    async def invite(self, unit: str) -> str:
        async with self.db.write() as tx:
            return await create_invite(tx, unit, self.now, 14)

    async def register(self, user: int, unit: str) -> list[Reply]:
        """`user` opens a fresh invite link of `unit`."""
        return await self.command(user, "start", await self.invite(unit))

    def rows(self, exclude: frozenset[str] = PRIVATE_STATE) -> dict[str, list[tuple[object, ...]]]:
        """Every row of every table but `exclude`, read from the file (committed state)."""
        with sqlite3.connect(self.path) as con:
            tables = [
                name
                for (name,) in con.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
                if name not in exclude and not name.startswith("sqlite_")
            ]
            return {t: sorted(con.execute(f"SELECT * FROM {t}"), key=repr) for t in tables}
