"""Zalo as documented: the wrapped webhook body, non-text messages, group chats."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from handlers.registration import create_invite
from tests.support.clock import FakeClock
from tests.support.harness import stop_or_explain
from tests.support.ports import free_port
from tests.support.zalo_bot import ZaloBot, start_zalo_app
from tests.support.zalo_server import FakeZaloServer

SECRET = "zalo-secret-0123456789"
LAN = "e4ea2cd5189df1c3a88c"
MINH = "1f0c3a77e2b94d5c8a01"
GROUP = "a1b2c3d4e5f6a7b8c9d0"


async def test_the_wrapped_and_the_bare_webhook_body_are_each_handled_once(
    tmp_path: Path,
    fake_zalo: FakeZaloServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_ZALO_TOKEN", fake_zalo.token)
    monkeypatch.setenv("BAOCAO_TEST_ZALO_SECRET", SECRET)
    app = await start_zalo_app(tmp_path, fake_zalo, clock, "webhook", free_port())
    running = ZaloBot(app, fake_zalo, clock)
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    try:
        assert app.webhook is not None
        url = f"http://127.0.0.1:{app.webhook.port}/zalo"
        wrapped = fake_zalo.make_update(LAN, "xin chào")
        bare = fake_zalo.make_update(MINH, "xin chào")
        async with httpx.AsyncClient() as client:
            first = await client.post(url, json=fake_zalo.webhook_body(wrapped), headers=headers)
            assert first.status_code == 200
            await fake_zalo.wait_for_messages(LAN, 1)
            assert (await client.post(url, json=bare, headers=headers)).status_code == 200
            await fake_zalo.wait_for_messages(MINH, 1)
            # Zalo repeating them, in either form: nothing more is sent.
            for body in (wrapped, fake_zalo.webhook_body(bare)):
                assert (await client.post(url, json=body, headers=headers)).status_code == 200
            with caplog.at_level(logging.WARNING):
                odd = await client.post(url, json={"ok": True, "result": {}}, headers=headers)
            assert odd.status_code == 200  # posting it again would not make it readable
            assert "zalo webhook body without an update dropped: {ok: bool, result: {}}" in (
                caplog.text
            )
            # One more message proves the repeats were handled (in order) before it.
            last = fake_zalo.make_update(LAN, "/toi")
            await client.post(url, json=fake_zalo.webhook_body(last), headers=headers)
            await fake_zalo.wait_for_messages(LAN, 2)
        assert len(fake_zalo.sent_to(LAN)) == 2 and len(fake_zalo.sent_to(MINH)) == 1
        async with running.db.read() as r:
            assert await r.inbox.get(4) is None  # three updates stored, no more
    finally:
        await stop_or_explain(running)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("photo", "Bot chưa đọc được ảnh. Hãy gõ số liệu bằng chữ số"),
        ("sticker", "Bot chưa đọc được nhãn dán"),
        ("voice", "Bot chưa nghe được tin nhắn thoại"),
        ("other", "Bot chưa đọc được loại tin nhắn này"),
    ],
)
async def test_each_non_text_message_gets_one_line_a_minute(
    zalo_bot: ZaloBot, kind: str, said: str
) -> None:
    bot = zalo_bot
    await bot.register(LAN, "SYT")
    bot.fake.user_sends(LAN, kind)
    sent = await bot.fake.wait_for_messages(LAN, 2)
    assert said in sent[-1].text and "/baocao" in sent[-1].text
    bot.fake.user_sends(LAN, kind)  # a burst: no second line within the minute
    await bot.fake.wait_until_polled_empty()
    bot.clock.advance(seconds=61)
    bot.fake.user_sends(LAN, kind)
    sent = await bot.fake.wait_for_messages(LAN, 3)
    assert len(sent) == 3 and said in sent[-1].text


async def test_a_group_is_told_to_write_privately_and_an_invite_there_is_not_used(
    zalo_bot: ZaloBot,
) -> None:
    bot = zalo_bot
    await bot.register(LAN, "SYT")
    bot.fake.user_sends_text(LAN, "/baocao", group=GROUP)
    told = await bot.fake.wait_for_messages(GROUP, 1)
    assert (
        told[0].text
        == "Bot chỉ làm việc trong tin nhắn riêng: hãy nhắn riêng cho bot, không nhắn trong nhóm."
    )
    async with bot.db.write() as tx:
        code = await create_invite(tx, "VP", bot.clock(), 14)
    bot.fake.user_sends_text(MINH, f"/start {code}", group=GROUP)
    refused = await bot.fake.wait_for_messages(GROUP, 2)
    assert (
        "tin nhắn riêng với bot" in refused[-1].text and "mã vẫn còn dùng được" in refused[-1].text
    )
    async with bot.db.read() as r:
        assert await r.focal_points.units_of("zalo", MINH) == []
    welcome = await bot.say(MINH, f"/start {code}")  # privately, the same code works
    assert "Văn phòng UBND tỉnh" in welcome
    assert len(bot.fake.sent_to(LAN)) == 1  # nothing of SYT went anywhere but the welcome


async def test_anyone_learns_their_own_zalo_id_to_put_in_the_config(zalo_bot: ZaloBot) -> None:
    told = await zalo_bot.say(MINH, "/toi")
    assert f"Mã người dùng của anh/chị trên Zalo: {MINH}" in told
    assert f'zalo_admins = ["{MINH}"]' in told
