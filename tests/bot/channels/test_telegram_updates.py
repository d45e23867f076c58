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
