"""The console channel: one person talks to the bot in a terminal (`baocao chat`); their
typed lines become events, the bot's replies are drawn as plain text with numbered choices,
and documents are written to files. The session that handles the lines is
`bot.runtime.console`.

Identity. The console is run by someone who already holds the database (an administrator,
a trainer, support), so it needs no invite: `--unit CODE` acts as a focal point of that unit
through `HandlerContext.acting_for`, without any focal point registration being added or
changed; `--office` acts as office staff. The sender is ``console:<login>@<UNIT|office>``,
so every answer is stored as a revision whose author is recognisably the console.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.channels.plaintext import draw, plain
from handlers.events import Document, Incoming, Sender, typed_event
from templates.catalog import text

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


class ConsoleChannel:
    """The console person's side: typed lines as events, replies as text, files on disk."""

    def __init__(self, identity: ConsoleIdentity, out_dir: Path) -> None:
        self.identity = identity
        self.out_dir = out_dir
        self.sender = Sender(CHANNEL, identity.user_id, identity.user_id, identity.login)
        self._count = 0

    def event(self, typed: str, now: datetime) -> Incoming:
        """A typed line as the event a chat platform would deliver."""
        self._count += 1
        ref = f"{self.identity.person_key}:{now.isoformat()}:{self._count}"
        return typed_event(self.sender, typed, now, ref)

    def draw(self, payload: dict[str, Any]) -> str:
        """A reply as plain text with numbered choices; a document is written to a file."""
        return draw(payload, self.draw_document)

    def draw_document(self, document: Document) -> str:
        """Write a document to a file; its caption and where it was written."""
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
