"""The running bot sets Telegram's menus from the command table: the office's commands only
in the office's chats."""

from __future__ import annotations

from handlers.commands import menu
from tests.support.harness import OFFICE_USER, BotUnderTest


async def test_the_menus_come_from_the_command_table(bot: BotUnderTest) -> None:
    everyone = bot.fake.commands()
    office = bot.fake.commands({"type": "chat", "chat_id": OFFICE_USER})
    pairs = [(c["command"], c["description"]) for c in everyone]
    assert pairs == menu(office=False)
    assert [(c["command"], c["description"]) for c in office] == menu(office=True)
    names = [name for name, _ in pairs]
    assert "baocao" in names and "khoa" not in names
    assert {"khoa", "tonghop", "xuat"} <= {c["command"] for c in office}
