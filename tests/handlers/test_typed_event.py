"""Typed text as an event, the same for Telegram, Zalo and the console."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.channels.telegram import parse_update
from handlers.events import EventKind, Sender, typed_event

WHEN = datetime(2022, 2, 11, 2, 0, tzinfo=UTC)


def test_a_command_addressed_to_the_bot_by_name_is_the_command() -> None:
    update = {
        "update_id": 7,
        "message": {
            "message_id": 3,
            "date": int(WHEN.timestamp()),
            "chat": {"id": -100, "type": "group"},
            "from": {"id": 1001, "first_name": "Lan"},
            "text": "/BaoCao@baocao_bot  02/2022 ",
        },
    }
    event = parse_update(update)
    assert event is not None
    assert (event.kind, event.command, event.argument) == (EventKind.COMMAND, "baocao", "02/2022")
    assert (event.received_at, event.message_ref) == (WHEN, "telegram:-100:3")


def test_plain_text_and_commands_read_alike_on_every_channel() -> None:
    sender = Sender("zalo", "u1", "u1", "Lan")
    text = typed_event(sender, "1.924.862", WHEN, "zalo:m1")
    command = typed_event(sender, "/sua", WHEN, "zalo:m2")
    assert (text.kind, text.text) == (EventKind.TEXT, "1.924.862")
    assert (command.kind, command.command, command.argument) == (EventKind.COMMAND, "sua", "")
