"""Telegram messages without text: photos and the like are unreadable, service messages none."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.telegram import parse_update
from handlers.events import EventKind

USER = {"id": 1001, "is_bot": False, "first_name": "Lan"}


def _update(chat: dict[str, Any], **content: Any) -> dict[str, Any]:
    message = {"message_id": 5, "date": 1644544800, "from": USER, "chat": chat, **content}
    return {"update_id": 9, "message": message}


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"photo": [{"file_id": "p"}], "caption": "259"}, "photo"),
        ({"sticker": {"file_id": "s"}}, "sticker"),
        ({"voice": {"file_id": "v"}}, "voice"),
        ({"location": {"latitude": 1, "longitude": 2}}, "other"),
    ],
)
def test_a_message_without_text_is_unreadable_of_its_kind(
    content: dict[str, Any], kind: str
) -> None:
    event = parse_update(_update({"id": 1001, "type": "private"}, **content))
    assert event is not None and (event.kind, event.text) == (EventKind.UNREADABLE, kind)


def test_a_service_message_is_left_out() -> None:
    joined = _update({"id": -5, "type": "group"}, new_chat_members=[USER])
    assert parse_update(joined) is None


@pytest.mark.parametrize("kind", ["group", "supergroup", "channel"])
def test_only_a_private_chat_is_private(kind: str) -> None:
    event = parse_update(_update({"id": -100, "type": kind}, text="/start abc"))
    assert event is not None and not event.sender.private
    private = parse_update(_update({"id": 1001, "type": "private"}, text="/start abc"))
    assert private is not None and private.sender.private


def test_a_reply_to_the_bots_message_names_it_and_a_reply_to_ones_own_does_not() -> None:
    chat = {"id": 1001, "type": "private"}
    bot = {"id": 42, "is_bot": True, "first_name": "baocao"}
    asked = {"message_id": 31, "date": 1644544700, "from": bot, "chat": chat, "text": "Câu 3/5"}
    own = {"message_id": 30, "date": 1644544700, "from": USER, "chat": chat, "text": "10"}
    to_bot = parse_update(_update(chat, text="12", reply_to_message=asked))
    to_self = parse_update(_update(chat, text="12", reply_to_message=own))
    plain = parse_update(_update(chat, text="12"))
    assert to_bot is not None and to_bot.reply_to == "31" and to_bot.kind is EventKind.TEXT
    assert to_self is not None and to_self.reply_to == ""
    assert plain is not None and plain.reply_to == ""
