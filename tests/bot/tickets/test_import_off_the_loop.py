"""A ticket import reads its file in a child process: in a thread of the bot, the parse holds
the GIL and every reply's hops to the database wait their turn (bot/tickets/apart.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.runtime.ticket_import
import bot.tickets.apart
import bot.tickets.reading
from bot.runtime.ticket_import import run_import
from bot.tickets.reading import read_ticket_file
from bot.workspace.load import load_workspace
from storage import Database
from tests.support.clock import FakeClock
from tests.support.offices import init_office
from tests.support.sample_data import TICKETS_CSV


@pytest.mark.slow  # a child process starts: about a second
async def test_the_file_is_read_in_another_process(
    db: Database, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = load_workspace(init_office(tmp_path / "office"))
    async with db.write() as tx:
        await tx.units.sync_all(list(workspace.units))
    readers: list[str] = []

    def watched(*args: Any) -> Any:
        readers.append("this process")  # a child process imports the modules afresh
        return read_ticket_file(*args)

    # Wherever the bot may call it from in this process.
    for module in (bot.tickets.reading, bot.tickets.apart, bot.runtime.ticket_import):
        monkeypatch.setattr(module, "read_ticket_file", watched, raising=False)

    async def fetch(channel: str, ref: str) -> bytes:
        return TICKETS_CSV

    payload = {"file_name": "phieu.csv", "file_ref": "f", "reply_channel": "telegram", "by": "t"}
    await run_import(db, workspace, clock, fetch, "900", payload)
    assert readers == []
    async with db.read() as r:
        assert len(await r.tickets.all()) > 0
