"""Telegram's command menus: everyone's, then one per office chat; a chat Telegram refuses
(a person who never opened the bot) is skipped and the others still get theirs."""

from __future__ import annotations

import logging

import pytest

from bot.channels.telegram import TelegramChannel
from bot.demo.telegram_api import FakeTelegramServer

EVERYONE = [("baocao", "Nhập số liệu"), ("start", "Bắt đầu")]
OFFICE = [*EVERYONE, ("khoa", "Khóa kỳ")]


def _names(fake: FakeTelegramServer, chat_id: int | None = None) -> list[str]:
    scope = None if chat_id is None else {"type": "chat", "chat_id": chat_id}
    return [c["command"] for c in fake.commands(scope)]


async def test_menus_per_scope_and_a_refused_chat_is_skipped(
    fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    channel = TelegramChannel(fake_telegram.token, fake_telegram.base_url, poll_timeout=1)
    await channel.start()
    try:
        await channel.register_commands(EVERYONE)
        fake_telegram.fail_next("setMyCommands", 400, "Bad Request: chat not found")
        with caplog.at_level(logging.WARNING):
            await channel.register_commands(OFFICE, ["111", "222"])
    finally:
        await channel.stop()
    assert _names(fake_telegram) == ["baocao", "start"]
    assert _names(fake_telegram, 111) == []  # refused: keeps everyone's menu
    assert _names(fake_telegram, 222) == ["baocao", "start", "khoa"]
    assert "chat 111" in caplog.text
