"""Drawing replies for Zalo: plain text, numbered choices, words to type, split long texts."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest

from bot.channels.base import (
    OutcomeUnknown,
    Rejected,
    RetryLater,
    Unavailable,
    Unreachable,
    reply_to_payload,
)
from bot.channels.zalo import (
    TEXT_LIMIT,
    ZaloChannel,
    parse_update,
    plain,
    render,
    split_text,
    typed_word,
)
from handlers.events import Choice, EventKind, Reply
from handlers.typed_words import typed_buttons
from templates.catalog import text


def test_html_is_drawn_as_plain_text() -> None:
    assert plain("<b>Bưu điện &lt;Trà Vinh&gt; &amp; Co</b> – <i>02/2022</i>") == (
        "Bưu điện <Trà Vinh> & Co – 02/2022"
    )


def test_choices_are_numbered_in_reading_order() -> None:
    reply = Reply(
        "1",
        text="<b>Chọn</b> đơn vị",
        choices=((Choice("Sở Y tế", "unit:SYT"),), (Choice("A &amp; B", "unit:AB"),)),
    )
    assert render(reply_to_payload(reply)) == "Chọn đơn vị\n\n1. Sở Y tế\n2. A & B"


def test_navigation_is_offered_as_words_the_router_accepts() -> None:
    nav = (
        Choice(text("chat.button_back"), "nav:back"),
        Choice(text("chat.button_skip"), "nav:skip"),
        Choice(text("chat.button_pause"), "nav:pause"),
    )
    reply = Reply("1", text="Câu 2/5", choices=(nav,), numbered=False)
    drawn = render(reply_to_payload(reply))
    assert drawn == "Câu 2/5\n\nGõ: «Quay lại» · «Bỏ qua» · «Tạm dừng»"
    assert "1." not in drawn


@pytest.mark.parametrize(
    ("key", "data"),
    [
        ("button_back", "nav:back"),
        ("button_skip", "nav:skip"),
        ("button_keep", "nav:keep"),
        ("button_pause", "nav:pause"),
        ("button_submit", "sum:send"),
        ("button_edit", "sum:edit"),
    ],
)
def test_every_navigation_label_typed_as_shown_does_what_the_button_does(
    key: str, data: str
) -> None:
    assert typed_buttons()[typed_word(text(f"chat.{key}")).casefold()].pack() == data


def test_the_explain_choice_under_a_question_is_offered_as_its_word() -> None:
    row = (Choice("Giải thích: tổng số", "why:tong"), Choice("Tạm dừng", "nav:pause"))
    drawn = render(reply_to_payload(Reply("1", text="Câu 3/5", choices=(row,), numbered=False)))
    assert drawn.endswith("Gõ: «Giải thích» · «Tạm dừng»")


def test_choices_that_cannot_be_typed_are_not_offered_as_words() -> None:
    row = (Choice("Trang sau ▶", "st:2022-02:2"), Choice("Tạm dừng", "nav:pause"))
    drawn = render(reply_to_payload(Reply("1", text="Câu 3/5", choices=(row,), numbered=False)))
    assert drawn.endswith("Gõ: «Tạm dừng»") and "Trang sau" not in drawn


def test_value_choices_keep_their_own_numbers_while_a_number_is_the_answer() -> None:
    picks = (Choice("Có", "pick:1"), Choice("Không", "pick:2"))
    reply = Reply("1", text="Có không?", choices=(picks, (Choice("Tạm dừng", "nav:pause"),)))
    drawn = render(reply_to_payload(replace(reply, numbered=False)))
    assert drawn == "Có không?\n\n1. Có\n2. Không\nGõ: «Tạm dừng»"


def test_a_document_becomes_its_caption_and_a_note() -> None:
    payload = {
        "document": {
            "file_name": "BC-02-2022.docx",
            "content": base64.b64encode(b"x").decode(),
            "caption": "<b>Dự thảo</b> kỳ 02/2022",
        }
    }
    drawn = render(payload)
    assert drawn.startswith("Dự thảo kỳ 02/2022\n\n(Zalo không gửi được tệp")
    assert "«BC-02-2022.docx»" in drawn and "<b>" not in drawn


def test_short_texts_are_not_split() -> None:
    assert split_text("một\nhai") == ["một\nhai"]
    assert split_text("") == []


def test_long_texts_are_split_at_line_breaks_only() -> None:
    lines = [f"{n}. " + "x" * 95 for n in range(60)]  # about 100 characters each
    parts = split_text("\n".join(lines))
    assert len(parts) == 3
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert [line for part in parts for line in part.split("\n")] == lines


def test_a_single_overlong_line_is_cut_at_spaces() -> None:
    words = ["chữ"] * 1200  # 4799 characters on one line
    parts = split_text("đầu\n" + " ".join(words))
    assert all(len(part) <= TEXT_LIMIT for part in parts)
    assert parts[0] == "đầu"  # the long line starts a part of its own
    assert " ".join(" ".join(parts).replace("\n", " ").split()) == " ".join(["đầu", *words])


def test_a_text_update_is_parsed_and_a_command_recognised() -> None:
    update = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "m1",
            "date": 1644544800000,
            "chat": {"id": "c9", "chat_type": "PRIVATE"},
            "from": {"id": "u7", "display_name": "Chị Lan"},
            "text": "/start ABC123",
        },
    }
    event = parse_update(update)
    assert event is not None
    assert event.kind is EventKind.COMMAND and event.command == "start"
    assert event.argument == "ABC123"
    assert (event.sender.channel, event.sender.user_id, event.sender.chat_id) == (
        "zalo",
        "u7",
        "c9",
    )
    assert event.sender.display_name == "Chị Lan"
    assert event.received_at.timestamp() == 1644544800
    update["message"]["text"] = "2"
    plain_text = parse_update(update)
    assert plain_text is not None and plain_text.kind is EventKind.TEXT
    sticker = parse_update({**update, "event_name": "message.sticker.received"})
    assert sticker is not None and (sticker.kind, sticker.text) == (EventKind.UNREADABLE, "sticker")


def _channel(answer: Callable[[httpx.Request], httpx.Response]) -> ZaloChannel:
    channel = ZaloChannel("TOKEN", "http://127.0.0.1:9/bot")
    channel.client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return channel


def _error(status: int, **extra: object) -> Callable[[httpx.Request], httpx.Response]:
    body = {"ok": False, "error_code": status, "description": "no", **extra}
    return lambda request: httpx.Response(status, json=body)


def _raise(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error

    return answer


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_error(429, parameters={"retry_after": 7}), RetryLater),
        (_error(403), Unreachable),
        (_error(400), Rejected),
        (_error(502), Unavailable),
        (_raise(httpx.ConnectError("refused")), Unavailable),
        (_raise(httpx.ReadTimeout("slow")), OutcomeUnknown),
    ],
)
async def test_send_failures_map_onto_delivery_errors(
    answer: Callable[[httpx.Request], httpx.Response], expected: type[Exception]
) -> None:
    channel = _channel(answer)
    with pytest.raises(expected) as caught:
        await channel.send("c1", {"text": "xin chào"})
    if isinstance(caught.value, RetryLater):
        assert caught.value.seconds == 7
    await channel.stop()


async def test_a_timed_out_poll_is_no_update() -> None:
    channel = _channel(_error(408))
    assert await channel.fetch_update() is None
    await channel.stop()


async def test_send_posts_each_part_as_json_to_the_token_url() -> None:
    seen: list[tuple[str, dict[str, object]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "m"}})

    channel = _channel(answer)
    await channel.send("c1", {"text": "\n".join(["x" * 1500, "y" * 1500])})
    await channel.stop()
    assert seen == [
        ("/botTOKEN/sendMessage", {"chat_id": "c1", "text": "x" * 1500}),
        ("/botTOKEN/sendMessage", {"chat_id": "c1", "text": "y" * 1500}),
    ]


async def test_a_split_text_retried_after_a_failed_part_sends_only_the_rest() -> None:
    delivered: list[str] = []
    fail_once = [True]

    def answer(request: httpx.Request) -> httpx.Response:
        part = str(json.loads(request.content)["text"])
        if part.startswith("y") and fail_once:
            fail_once.clear()  # the second part fails the first time only
            return httpx.Response(502, json={"ok": False, "error_code": 502, "description": "x"})
        delivered.append(part)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "m"}})

    channel = _channel(answer)
    payload = {"text": "\n".join(["x" * 1500, "y" * 1500, "z" * 1500])}
    with pytest.raises(Unavailable):
        await channel.send("c1", payload)
    await channel.send("c1", payload)  # the outbox retries the message
    assert delivered == ["x" * 1500, "y" * 1500, "z" * 1500]
    await channel.send("c1", payload)  # a new, identical message is sent whole
    assert len(delivered) == 6
    await channel.stop()
