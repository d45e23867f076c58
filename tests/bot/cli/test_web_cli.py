"""`baocao web-link` and `baocao web`: a one-time link for the office only, and the dashboard
served alone on the bot's database."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.cli.main import main
from bot.workspace.load import load_workspace
from storage import Database
from tests.support.dashboard import served_web, web_link

STARTER_ADMIN = "123456789"


def _add_focal_point(office: Path) -> None:
    async def add() -> None:
        async with await Database.open(office.parent / "baocao.sqlite3") as db, db.write() as tx:
            await tx.units.sync_all(list(load_workspace(office).units))
            await tx.focal_points.add("SYT", "telegram", "77", "77", "Chị Lan")

    asyncio.run(add())


def test_web_link_gives_an_admin_a_link_at_the_address_asked(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["web-link", "--config", str(office), STARTER_ADMIN, "--url", "https://bot.so.vn/"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "dùng một lần" in out
    assert f"https://bot.so.vn/web/login?a=telegram:{STARTER_ADMIN}&e=" in out


def test_web_link_refuses_a_focal_points_id(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add_focal_point(office)
    assert main(["web-link", "--config", str(office), "77"]) == 2
    captured = capsys.readouterr()
    assert "không phải cán bộ văn phòng" in captured.err and "http" not in captured.out


@pytest.mark.slow
def test_baocao_web_serves_the_dashboard_alone_on_the_database(office: Path) -> None:
    _add_focal_point(office)
    with served_web(office) as base, httpx.Client(base_url=base) as client:
        assert client.get("/web/").status_code == 303  # no session
        link = web_link(office, STARTER_ADMIN, base)
        assert client.get(link.removeprefix(base)).status_code == 200
        page = client.get("/web/").text
        assert "Sở Y tế" in page and "Chị Lan" in page
        assert client.get("/web/static/style.css").headers["content-type"].startswith("text/css")


@pytest.mark.slow
def test_baocao_web_alone_forgets_expired_sessions_and_used_links(office: Path) -> None:
    # With no bot beside it, nobody else would: the bot's daily housekeeping runs here too.
    now = datetime.now(UTC)
    database = office.parent / "baocao.sqlite3"

    async def seed() -> None:
        async with await Database.open(database) as db, db.write() as tx:
            await tx.web.open_session("gone", "telegram:1", "c1", now - timedelta(days=1))
            await tx.web.open_session("kept", "telegram:1", "c2", now + timedelta(hours=8))
            await tx.web.use_login("old", "telegram:1", now - timedelta(days=3))
            await tx.web.use_login("new", "telegram:1", now)

    asyncio.run(seed())
    with served_web(office), closing(sqlite3.connect(database)) as conn:
        # It runs in the background once the server listens: a few seconds at most here.
        deadline = time.monotonic() + 20
        while True:
            sessions = [row[0] for row in conn.execute("SELECT cookie_hash FROM web_sessions")]
            links = [row[0] for row in conn.execute("SELECT nonce FROM web_logins_used")]
            if (sessions == ["kept"] and links == ["new"]) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert sessions == ["kept"] and links == ["new"]
