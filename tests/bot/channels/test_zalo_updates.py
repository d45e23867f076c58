"""Zalo updates as the platform documents them: both webhook bodies, every event, groups."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.base import reply_to_payload, shape
from bot.channels.zalo import parse_update, render, unwrap, update_key
from handlers.events import Choice, EventKind, Reply, named_choice
from handlers.unit_buttons import Move, Navigate, Pick
from templates.catalog import text
from tests.support.zalo_bot import numbers_shared

UPDATE: dict[str, Any] = {
    "event_name": "message.text.received",
    "message": {
        "message_id": "16f6366b3f02645a3d15",
        "date": 1766619597466,
        "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
        "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Nguyen Van A"},
        "text": "Xin chào",
    },
}


def test_the_documented_wrapped_body_and_the_bare_update_give_the_same_update() -> None:
    assert unwrap({"ok": True, "result": UPDATE}) == UPDATE
    assert unwrap(UPDATE) == UPDATE
    assert update_key(UPDATE) == "16f6366b3f02645a3d15"


@pytest.mark.parametrize(
    "body",
    [{}, {"ok": False, "error_code": 500}, {"ok": True, "result": "x"}, {"result": UPDATE}],
)
def test_a_body_without_an_update_gives_none(body: dict[str, Any]) -> None:
    assert unwrap(body) is None


def test_the_shape_of_a_body_names_keys_and_types_but_no_contents() -> None:
    described = shape({"ok": True, "result": UPDATE})
    assert "message_id: str" in described and "ok: bool" in described
    assert "Xin chào" not in described and "Nguyen" not in described
    assert shape({str(n): n for n in range(50)}).endswith(", ...}")


@pytest.mark.parametrize(
    ("event_name", "kind"),
    [
        ("message.image.received", "photo"),
        ("message.sticker.received", "sticker"),
        ("message.voice.received", "voice"),
        ("message.unsupported.received", "other"),
        ("message.something.new", "other"),
    ],
)
def test_each_non_text_event_is_an_unreadable_message_of_its_kind(
    event_name: str, kind: str
) -> None:
    message = {k: v for k, v in UPDATE["message"].items() if k != "text"}
    event = parse_update({"event_name": event_name, "message": message})
    assert event is not None and (event.kind, event.text) == (EventKind.UNREADABLE, kind)


def test_an_update_without_event_name_as_in_the_getupdates_sample_is_read_by_its_fields() -> None:
    bare = {"message": UPDATE["message"]}
    event = parse_update(bare)
    assert event is not None and (event.kind, event.text) == (EventKind.TEXT, "Xin chào")
    photo = {k: v for k, v in UPDATE["message"].items() if k != "text"}
    event = parse_update({"message": {**photo, "photo_url": "https://x.invalid/p.jpg"}})
    assert event is not None and (event.kind, event.text) == (EventKind.UNREADABLE, "photo")


def test_an_unsupported_event_without_a_message_is_left_out() -> None:
    assert parse_update({"event_name": "message.unsupported.received"}) is None
    assert update_key({"event_name": "message.unsupported.received"}) is None


def test_the_sender_name_is_display_name_or_first_name_and_a_group_is_not_private() -> None:
    message = dict(UPDATE["message"])
    message["from"] = {"id": "e4ea2cd5189df1c3a88c", "first_name": "Nguyen Van B"}
    message["chat"] = {"id": "a1b2c3d4e5f6a7b8c9d0", "chat_type": "GROUP"}
    event = parse_update({**UPDATE, "message": message})
    assert event is not None
    assert event.sender.display_name == "Nguyen Van B"
    assert not event.sender.private and event.sender.chat_id == "a1b2c3d4e5f6a7b8c9d0"
    private = parse_update(UPDATE)
    assert private is not None and private.sender.private


def test_a_questions_options_are_drawn_once_on_zalo() -> None:
    options = ["Có", "Không"]
    body = text(
        "chat.question",
        number=1,
        total=2,
        form_title="Dịch vụ công",
        question="Đã có cổng dịch vụ công chưa?",
        measure="",
        choices=options,
        previous="",
        current="",
        optional=False,
    )
    picks = tuple(named_choice(o, Pick(n).pack()) for n, o in enumerate(options, 1))
    pause = (Choice(text("chat.button_pause"), Navigate(Move.PAUSE).pack()),)
    drawn = render(reply_to_payload(Reply("1", text=body, choices=(picks, pause), numbered=False)))
    assert drawn.count("Không") == 1 and "1. Có\n2. Không" in drawn
    assert numbers_shared(drawn) == []
