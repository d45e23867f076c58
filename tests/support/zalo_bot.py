"""The real bot on the Zalo channel alone, against the fake Zalo Bot Platform server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.channels.zalo import ZaloChannel
from bot.runtime.app import App
from bot.runtime.ratelimit import Limits
from bot.workspace.load import load_workspace
from handlers.registration import create_invite
from storage import Database
from tests.support.clock import FakeClock
from tests.support.harness import stop_or_explain, write_workspace
from tests.support.zalo_server import FakeZaloServer

OFFICE = "6ede9afa66b88fe6d6a9"  # office staff on Zalo (zalo_admins of the workspace)


@pytest.fixture
def fake_zalo() -> Iterator[FakeZaloServer]:
    """A fresh fake Zalo server; the test fails if the bot called a method it does not know."""
    with FakeZaloServer() as server:
        yield server
    server.assert_no_unexpected_calls()
    assert not server.internal_errors, server.internal_errors


@dataclass
class ZaloBot:
    """The running app with only Zalo, and helpers that play a person on Zalo."""

    app: App
    fake: FakeZaloServer
    clock: FakeClock

    @property
    def db(self) -> Database:
        """The app's open database."""
        assert self.app.db is not None
        return self.app.db

    async def say(self, user: str, typed: str) -> str:
        """Type a text; the bot's one reply as the person sees it (checked: no two of its
        lines begin with the same number, or a typed number would be ambiguous)."""
        before = len(self.fake.sent_to(user))
        self.fake.user_sends_text(user, typed)
        reply = (await self.fake.wait_for_messages(user, before + 1))[-1].text
        assert numbers_shared(reply) == [], reply
        return reply

    async def register(self, user: str, unit_code: str) -> str:
        """Type /start with a fresh invite code of the unit; the welcome."""
        async with self.db.write() as tx:
            code = await create_invite(tx, unit_code, self.clock(), 14)
        return await self.say(user, f"/start {code}")


def numbers_shared(message: str) -> list[str]:
    """The numbers that begin more than one line of a message ("1. …" twice)."""
    numbers = re.findall(r"^\s*(\d+)\.\s", message, re.MULTILINE)
    return sorted({n for n in numbers if numbers.count(n) > 1})


def write_zalo_workspace(
    folder: Path, fake: FakeZaloServer, mode: str, port: int, extra: str
) -> Path:
    """The e2e workspace with Zalo only (and office staff on Zalo); the config path."""
    config = write_workspace(folder, "http://127.0.0.1:9/bot", port=port)
    source = config.read_text(encoding="utf-8")
    source = source.replace("[telegram]\n", "[telegram]\nenabled = false\n")
    source = source.replace("admins = [900]\n", f'admins = [900]\nzalo_admins = ["{OFFICE}"]\n')
    source += (
        f'\n[zalo]\nenabled = true\ntoken_env = "BAOCAO_TEST_ZALO_TOKEN"\n'
        f'api_base_url = "{fake.base_url}"\nmode = "{mode}"\n'
        'webhook_url = "https://baocao.example.invalid/zalo"\n'
        'webhook_secret_env = "BAOCAO_TEST_ZALO_SECRET"\n'
        f"{extra}"
    )
    config.write_text(source, encoding="utf-8")
    return config


async def start_zalo_app(
    folder: Path, fake: FakeZaloServer, clock: FakeClock, mode: str, port: int, extra: str = ""
) -> App:
    """Write the Zalo-only workspace into `folder` and start the app on it."""
    config = write_zalo_workspace(folder, fake, mode, port, extra)
    channel = ZaloChannel(fake.token, fake.base_url, poll_timeout=1)
    app = App(
        load_workspace(config),
        clock=clock,
        zalo=channel,
        limits=Limits(0, 0, 0),
        run_scheduler=False,
    )
    await app.start()
    return app


@pytest.fixture
async def zalo_bot(
    tmp_path: Path, fake_zalo: FakeZaloServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ZaloBot]:
    """The bot polling the fake Zalo server."""
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    app = await start_zalo_app(tmp_path, fake_zalo, clock, "polling", 8443)
    running = ZaloBot(app, fake_zalo, clock)
    try:
        yield running
    finally:
        await stop_or_explain(running)  # type: ignore[arg-type]
