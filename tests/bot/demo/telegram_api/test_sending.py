"""The fake Bot API's basics and sending, driven by a real python-telegram-bot ``Bot``."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from telegram import Bot, MessageEntity
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    InvalidToken,
)

from bot.demo.telegram_api import (
    BOT_USER,
    FakeTelegramServer,
    parse_html,
    parse_markdown_v2,
)
from tests.bot.demo.telegram_api.clients import OTHER, USER, keyboard

# ---- basics ----------------------------------------------------------------------------------


async def test_get_me_returns_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (
        123456,
        True,
        "baocao_test_bot",
        "Báo cáo",
    )


async def test_the_demo_names_its_bot_and_dates_messages_by_its_clock() -> None:
    """`baocao demo` runs in simulated time: every message is dated by the clock it gives."""
    moment = datetime(2022, 2, 10, 1, 0, tzinfo=UTC)
    demo = FakeTelegramServer(
        "7000000001:demo", bot_user={"username": "demo_bot"}, clock=lambda: moment
    )
    with demo:
        async with demo.make_bot() as client:
            me = await client.get_me()
            demo.user_sends_text(USER, "/start", first_name="Lan")
            update = (await client.get_updates(timeout=0))[0]
            sent = await client.send_message(USER, "Chào Lan")
    assert (me.id, me.username, me.first_name) == (7000000001, "demo_bot", "Báo cáo")
    assert update.message is not None and update.message.date == moment
    assert sent.date == moment and demo.sent_to(USER)[0].date == moment.timestamp()


async def test_wrong_token_is_rejected_with_401(fake_telegram: FakeTelegramServer) -> None:
    wrong = "123456:AAWrongTokenWrongTokenWrongToken00"
    with pytest.raises(InvalidToken):
        async with fake_telegram.make_bot(token=wrong):
            pass
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{fake_telegram.base_url}{wrong}/getMe")
        malformed = await client.get(f"{fake_telegram.base_url}not-a-token/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert malformed.status_code == 404


async def test_json_body_and_query_string_are_accepted(fake_telegram: FakeTelegramServer) -> None:
    url = f"{fake_telegram.base_url}{fake_telegram.token}"
    async with httpx.AsyncClient() as client:
        by_json = await client.post(
            f"{url}/sendMessage",
            json={
                "chat_id": USER,
                "text": "JSON",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            },
        )
        by_query = await client.get(f"{url}/SENDMESSAGE", params={"chat_id": USER, "text": "GET"})
    assert by_json.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
    assert by_query.json()["result"]["message_id"] == 2
    assert [m.plain_text for m in fake_telegram.sent_to(USER)] == ["JSON", "GET"]


# ---- sending ---------------------------------------------------------------------------------


async def test_sent_message_with_inline_keyboard_is_recorded(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    first = await bot.send_message(USER, "Chọn kỳ báo cáo")
    second = await bot.send_message(
        USER,
        "<b>Tháng 02/2022</b>: số liệu &lt;đã&gt; nộp",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([("Xác nhận", "confirm:2022-02")], [("Huỷ", "cancel")]),
    )

    assert (first.message_id, second.message_id) == (1, 2)
    assert second.from_user is not None and second.from_user.id == BOT_USER["id"]
    assert second.text == "Tháng 02/2022: số liệu <đã> nộp"
    assert second.entities == (MessageEntity(MessageEntity.BOLD, 0, 13),)
    sent = fake_telegram.sent_to(USER)
    assert [m.message_id for m in sent] == [1, 2]
    assert sent[1].text == "<b>Tháng 02/2022</b>: số liệu &lt;đã&gt; nộp"
    assert sent[1].parse_mode == "HTML"
    assert sent[1].buttons == [[("Xác nhận", "confirm:2022-02")], [("Huỷ", "cancel")]]
    assert sent[1].callback_data_for("Huỷ") == "cancel"
    assert abs(sent[1].date - time.time()) < 5
    assert fake_telegram.sent_to(OTHER) == []
    assert len(fake_telegram.all_sent()) == 2


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("<b>chưa đóng", 'Can\'t find end tag corresponding to start tag "b"'),
        ("tỷ lệ < 5%", 'Unsupported start tag "" at byte offset'),
        ("<div>khối</div>", 'Unsupported start tag "div"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("Sở Kế hoạch & Đầu tư", "Character '&'"),
        ("a > b", "Character '>'"),
        ("xuống dòng<br>", 'Unsupported start tag "br"'),
    ],
)
async def test_malformed_html_is_a_bad_request(bot: Bot, text: str, detail: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities") as caught:
        await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert detail.lower() in caught.value.message.lower()


async def test_well_formed_html_of_every_allowed_tag_is_accepted(bot: Bot) -> None:
    text = (
        "<b>b</b><i>i</i><u>u</u><s>s</s><code>c</code><pre>p</pre>"
        '<a href="https://example.gov.vn/?a=1&amp;b=2">a</a><tg-spoiler>t</tg-spoiler>'
        "<blockquote>q</blockquote> &#272;&amp;&quot;"
    )
    message = await bot.send_message(USER, text, parse_mode=ParseMode.HTML)
    assert message.text == 'biuscpatq Đ&"'
    assert [e.type for e in message.entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "code",
        "pre",
        "text_link",
        "spoiler",
        "blockquote",
    ]
    assert message.entities[6].url == "https://example.gov.vn/?a=1&b=2"


async def test_text_length_limit_counts_parsed_text(bot: Bot) -> None:
    await bot.send_message(USER, "ệ" * 4096)
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "ệ" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "  \n ")


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard([("A", "x" * 64)]))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        # 22 Vietnamese letters of 3 bytes = 66 bytes, although only 22 characters
        await bot.send_message(USER, "quá dài", reply_markup=keyboard([("A", "ệ" * 22)]))


async def test_markdown_v2_reserved_characters_must_be_escaped(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        await bot.send_message(USER, "Hạn nộp: 05.03.2022", parse_mode=ParseMode.MARKDOWN_V2)
    message = await bot.send_message(
        USER, r"*Hạn nộp*: 05\.03\.2022", parse_mode=ParseMode.MARKDOWN_V2
    )
    assert message.text == "Hạn nộp: 05.03.2022"
    assert message.entities == (MessageEntity(MessageEntity.BOLD, 0, 7),)


def test_parsers_report_utf16_offsets() -> None:
    assert parse_html("😀 <b>đ</b>") == ("😀 đ", [{"type": "bold", "offset": 3, "length": 1}])
    assert parse_markdown_v2("_a_ ~b~") == (
        "a b",
        [
            {"type": "italic", "offset": 0, "length": 1},
            {"type": "strikethrough", "offset": 2, "length": 1},
        ],
    )


async def test_reply_to_unknown_message_is_rejected(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(USER, "trả lời", reply_to_message_id=99)
