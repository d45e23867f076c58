"""Zalo polling with a full database: the fetched update is held, not dropped, its sender is
told once, the office's Zalo admin once, and it is stored and handled once when space
returns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.clock import FakeClock
from tests.support.disk_full import OFFICE_NOTICE, USER_NOTICE, fill_database, free_space
from tests.support.harness import stop_or_explain
from tests.support.zalo_bot import OFFICE, ZaloBot, start_zalo_app
from tests.support.zalo_server import FakeZaloServer

LAN = "e4ea2cd5189df1c3a88c"  # focal point of SYT


@pytest.mark.slow
async def test_zalo_polling_holds_the_update_and_handles_it_once(
    tmp_path: Path, fake_zalo: FakeZaloServer, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    app = await start_zalo_app(tmp_path, fake_zalo, clock, "polling", 8443)
    bot = ZaloBot(app, fake_zalo, clock)
    try:
        await bot.register(LAN, "SYT")
        await bot.say(LAN, "/baocao")
        before = len(fake_zalo.sent_to(LAN))
        await fill_database(bot.db)
        message_ids = [fake_zalo.user_sends_text(LAN, "259"), fake_zalo.user_sends_text(LAN, "9")]
        notice = await fake_zalo.wait_for_messages(LAN, before + 1, timeout=15)
        assert USER_NOTICE in notice[-1].text
        # The office (on Zalo only: Telegram is off) hears of it from its admin's chat.
        [office] = await fake_zalo.wait_for_messages(OFFICE, 1, timeout=15)
        assert OFFICE_NOTICE in office.text and "<b>" not in office.text
        assert _stored(bot, message_ids) == []
        await free_space(bot.db)
        replies = await fake_zalo.wait_for_messages(LAN, before + 3, timeout=15)
        texts = [m.text for m in replies[before:]]
        assert sum(USER_NOTICE in t for t in texts) == 1
        assert texts[1].startswith("✓ Đã ghi: 259") and texts[2].startswith("✓ Đã ghi: 9")
        assert _stored(bot, message_ids) == sorted(message_ids)
        assert [OFFICE_NOTICE in m.text for m in fake_zalo.sent_to(OFFICE)] == [True]
    finally:
        await stop_or_explain(bot)  # type: ignore[arg-type]


def _stored(bot: ZaloBot, ids: list[str]) -> list[str]:
    conn = sqlite3.connect(bot.db.path)
    try:
        rows = conn.execute("SELECT external_id FROM inbox WHERE channel = 'zalo'").fetchall()
    finally:
        conn.close()
    return sorted(r[0] for r in rows if r[0] in ids)
