"""The dashboard is served by the running bot's HTTP server, beside its webhook and /healthz,
on the bot's own database; «Nhắc» there queues into the outbox the bot delivers from."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bot.demo.telegram_api import FakeTelegramServer
from handlers.web_link import login_link
from tests.support.clock import FakeClock
from tests.support.harness import OFFICE_USER, start_bot, stop_or_explain
from tests.support.ports import free_port


async def test_the_bots_http_server_serves_the_dashboard(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    monkeypatch.setenv("BAOCAO_TEST_SECRET", "s3cret-Token_value")
    port = free_port()
    running = await start_bot(
        tmp_path, fake_telegram, clock, mode="webhook", port=port, dashboard=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with running.db.write() as tx:
            await tx.focal_points.add("SYT", "telegram", "1001", "1001", "Chị Lan")
            link, _ = await login_link(tx, f"telegram:{OFFICE_USER}", base, clock())
        async with httpx.AsyncClient(base_url=base) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/web/")).status_code == 303
            assert (await client.get(link.removeprefix(base))).status_code == 200
            page = (await client.get("/web/")).text
            assert "Sở Y tế" in page and "Chị Lan" in page
            csrf = re.search(r'name="csrf" value="([^"]+)"', page)
            assert csrf is not None
            done = await client.post("/web/units/SYT/remind", data={"csrf": csrf.group(1)})
            assert done.status_code == 303
        reminders = await fake_telegram.wait_for_messages(1001, 1)
        assert "Sở Y tế" in (reminders[0].plain_text or "")
    finally:
        await stop_or_explain(running)
