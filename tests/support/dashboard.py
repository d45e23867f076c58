"""The dashboard served in-process on a World's database: its client, links and outbox."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web.dashboard import Dashboard
from bot.web.routes import mount
from handlers.web_link import login_link
from tests.support.harness import OFFICE_USER
from tests.support.ports import free_port
from tests.support.world import World

ADMIN = f"telegram:{OFFICE_USER}"
BAOCAO = Path(sys.executable).parent / "baocao"


@asynccontextmanager
async def dashboard_client(
    world: World, rehearsal: bool = False
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """A client of the dashboard mounted on an app of its own, on the world's clock."""
    app = web.Application()
    parts = Dashboard(world.db, world.catalog, world.office, lambda: world.now, rehearsal=rehearsal)
    mount(app, parts)
    async with TestClient(TestServer(app)) as client:
        yield client


async def link_for(world: World, admin: str = ADMIN) -> str:
    """The path and query of a fresh login link for `admin`."""
    async with world.db.write() as tx:
        link, _ = await login_link(tx, admin, "http://x", world.now)
    return link.removeprefix("http://x")


def outbox(world: World) -> list[tuple[str, str]]:
    """(chat id, payload) of every queued message, read from the file."""
    with sqlite3.connect(world.path) as con:
        return list(con.execute("SELECT chat_id, payload FROM outbox ORDER BY id"))


@contextmanager
def served_web(config: Path) -> Iterator[str]:
    """`baocao web` running on a free port of 127.0.0.1 on the office's config; its base URL.

    Stopped with SIGINT (Ctrl-C) afterwards, and it must then exit 0."""
    port = free_port()
    command = [str(BAOCAO), "web", "--config", str(config), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, encoding="utf-8")
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # printed once the port is open
        assert f"127.0.0.1:{port}/web/" in line, line + process.stderr.read()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0


def web_link(config: Path, admin: str, url: str) -> str:
    """A login link from `baocao web-link`, as the office would get one."""
    result = subprocess.run(
        [str(BAOCAO), "web-link", "--config", str(config), admin, "--url", url],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]
