"""Updates delivered twice, webhook secrets, a restart in the middle of a conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import FakeClock
from tests.support.harness import BotUnderTest, start_bot, stop_or_explain
from tests.support.ports import free_port

ALICE = 1001


async def test_the_same_update_delivered_twice_is_handled_once(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.command(ALICE, "baocao")
    update_id = bot.fake.user_sends_text(ALICE, "259")
    bot.fake.deliver_twice(update_id)
    await bot.fake.wait_for_messages(ALICE, len(bot.fake.sent_to(ALICE)) + 1)
    await bot.fake.wait_until(lambda: update_id in bot.fake.confirmed_update_ids() or None)
    # Ask something else: its reply comes after any reply to the repeat would have.
    reply = await bot.say(ALICE, "2.386")
    assert "✓ Đã ghi: 2.386" in reply
    acks = [m for m in bot.fake.sent_to(ALICE) if (m.plain_text or "").startswith("✓ Đã ghi: 259")]
    assert len(acks) == 1
    async with bot.db.read() as r:
        revisions = await r.answers.revisions("SYT", "cts", "2022-02", "cap_moi")
    assert len(revisions) == 1


async def test_a_restart_in_mid_conversation_continues_at_the_same_question(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    first = await start_bot(tmp_path, fake_telegram, clock)
    await first.register(ALICE, "SYT")
    await first.command(ALICE, "baocao")
    await first.say(ALICE, "259")
    await first.say(ALICE, "2.386")
    await stop_or_explain(first)
    # While the bot is down the person answers question 3; it waits at Telegram.
    before = len(fake_telegram.sent_to(ALICE))
    fake_telegram.user_sends_text(ALICE, "472")
    second = await start_bot(tmp_path, fake_telegram, clock)
    try:
        replies = await fake_telegram.wait_for_messages(ALICE, before + 1)
        assert replies[-1].plain_text is not None
        assert replies[-1].plain_text.startswith("✓ Đã ghi: 472")
        assert "Câu 4/5" in replies[-1].plain_text
        reply = await second.say(ALICE, "1.914")
        assert "✓ Đã ghi: 1.914" in reply and "Câu 5/5" in reply
        async with second.db.read() as r:
            stored = await r.answers.for_obligation("SYT", "cts", "2022-02")
        assert {k: a.value for k, a in stored.items()} == {
            "cap_moi": "259",
            "tong": "2386",
            "to_chuc": "472",
            "ca_nhan": "1914",
        }
    finally:
        await stop_or_explain(second)


async def test_the_webhook_refuses_a_missing_or_wrong_secret(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    monkeypatch.setenv("BAOCAO_TEST_SECRET", "s3cret-Token_value")
    port = free_port()
    running = await start_bot(tmp_path, fake_telegram, clock, mode="webhook", port=port)
    try:
        assert fake_telegram.webhook["secret_token"] == "s3cret-Token_value"
        url = f"http://127.0.0.1:{port}/telegram"
        header = "X-Telegram-Bot-Api-Secret-Token"
        update_id = fake_telegram.user_sends_command(2001, "start")
        update = fake_telegram.update(update_id)
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={header: "s3cret-Token_valuX"})
            assert (missing.status_code, wrong.status_code) == (403, 403)
            async with running.db.read() as r:
                assert await r.inbox.next_unhandled() == []
            assert fake_telegram.sent_to(2001) == []
            good = await client.post(url, json=update, headers={header: "s3cret-Token_value"})
            assert good.status_code == 200
            again = await client.post(url, json=update, headers={header: "s3cret-Token_value"})
            assert again.status_code == 200
        messages = await fake_telegram.wait_for_messages(2001, 1)
        await asyncio.sleep(0.3)
        assert len(fake_telegram.sent_to(2001)) == 1
        assert "Để đăng ký" in (messages[0].plain_text or "")
    finally:
        await stop_or_explain(running)
