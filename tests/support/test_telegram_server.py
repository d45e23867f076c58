"""Tests of the fake Telegram Bot API server, driven by a real python-telegram-bot ``Bot``."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
import warnings
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from .telegram_server import (
    BOT_USER,
    FakeTelegramServer,
    FakeTelegramTimeout,
    parse_html,
    parse_markdown_v2,
)

USER = 1001  # a private chat with a unit's reporter
OTHER = 1002


@pytest.fixture
async def bot(fake_telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    """A real, initialised PTB Bot pointed at the fake."""
    async with fake_telegram.make_bot() as client:
        yield client


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """Build an inline keyboard from rows of (label, callback_data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def retry_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds (PTB 22 returns int or timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


# ---- basics ----------------------------------------------------------------------------------


async def test_get_me_returns_the_test_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (
        123456,
        True,
        "baocao_test_bot",
        "Báo cáo",
    )


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


# ---- updates ---------------------------------------------------------------------------------


async def test_updates_stay_until_confirmed_by_offset(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    first = fake_telegram.user_sends_text(USER, "Xin chào", first_name="Lan", username="lan_so_tc")
    second = fake_telegram.user_sends_command(USER, "baocao", "2022-02")

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message.text == "Xin chào"
    assert updates[0].message.from_user.first_name == "Lan"
    assert updates[0].message.from_user.username == "lan_so_tc"
    assert updates[0].message.chat.type == "private"
    command = updates[1].message
    assert command.text == "/baocao 2022-02"
    assert command.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 7),)

    assert [u.update_id for u in await bot.get_updates()] == [first, second]  # not confirmed
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert fake_telegram.confirmed_update_ids() == [first, second]
    assert fake_telegram.pending_updates() == []
    assert [u.update_id for u in await bot.get_updates(limit=1)] == []


async def test_redeliver_and_deliver_twice(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    first = fake_telegram.user_sends_text(USER, "một")
    assert [u.update_id for u in await bot.get_updates()] == [first]
    assert await bot.get_updates(offset=first + 1) == ()

    assert fake_telegram.redeliver() == [first]
    redelivered = await bot.get_updates(offset=first + 1)
    assert [(u.update_id, u.message.text) for u in redelivered] == [(first, "một")]
    assert await bot.get_updates(offset=first + 1) == ()

    second = fake_telegram.user_sends_text(USER, "hai")
    fake_telegram.deliver_twice(second)
    assert [u.update_id for u in await bot.get_updates(offset=first + 1)] == [second]
    assert [u.update_id for u in await bot.get_updates(offset=second + 1)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()


async def test_long_polling_returns_as_soon_as_a_user_writes(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert time.monotonic() - started >= 0.9  # waited for the timeout

    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await fake_telegram.wait_for_polling()
    started = time.monotonic()
    update_id = fake_telegram.user_sends_text(USER, "có mặt")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 2
    assert [u.update_id for u in updates] == [update_id]


async def test_second_bot_instance_terminates_the_first_poll_with_conflict(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=20))
    await fake_telegram.wait_for_polling()
    async with fake_telegram.make_bot() as other_instance:
        assert await other_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)
    assert fake_telegram.count_409 == 1


async def test_allowed_updates_filters_update_types(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    await bot.send_message(USER, "Chọn", reply_markup=keyboard([("A", "a")]))
    fake_telegram.user_sends_text(USER, "văn bản")
    press = fake_telegram.user_presses_button(USER, 1, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.update_id for u in updates] == [press]


async def test_webhook_blocks_get_updates(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
        await bot.set_webhook("http://127.0.0.1:8080/hook")
    assert await bot.set_webhook("https://baocao.example.gov.vn/tg", secret_token="s3cr3t_T")
    fake_telegram.user_sends_text(USER, "chờ")
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://baocao.example.gov.vn/tg", 1)
    assert fake_telegram.webhook["secret_token"] == "s3cr3t_T"
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


# ---- buttons, edits, other methods -----------------------------------------------------------


async def test_button_press_answer_and_edit(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Gửi số liệu?", reply_markup=keyboard([("Gửi", "send")]))
    with pytest.raises(LookupError):
        fake_telegram.user_presses_button(USER, sent.message_id, "no-such-button")
    press = fake_telegram.user_presses_button_with_text(USER, "Gửi")

    (update,) = await bot.get_updates()
    query = update.callback_query
    assert (update.update_id, query.data, query.from_user.id) == (press, "send", USER)
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup.inline_keyboard[0][0].text == "Gửi"

    await bot.answer_callback_query(query.id, text="Đã nhận")
    answer = await fake_telegram.wait_for_callback_answer(press)
    assert (answer.text, answer.show_alert) == ("Đã nhận", False)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query.id)

    await bot.edit_message_text("Đã gửi ✅", chat_id=USER, message_id=sent.message_id)
    (edited,) = fake_telegram.sent_to(USER)
    assert (edited.plain_text, edited.buttons, edited.edit_history) == (
        "Đã gửi ✅",
        [],  # editing without reply_markup removes the keyboard, as on Telegram
        ["Gửi số liệu?"],
    )
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Đã gửi ✅", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard([("B", "b")]))
    assert fake_telegram.sent_to(USER)[0].buttons == [[("B", "b")]]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)


async def test_commands_chat_action_and_delete(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Bắt đầu"), ("baocao", "Nộp báo cáo")])
    assert [(c.command, c.description) for c in await bot.get_my_commands()] == [
        ("start", "Bắt đầu"),
        ("baocao", "Nộp báo cáo"),
    ]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bao-Cao", "x")])

    assert await bot.send_chat_action(USER, "typing")
    assert fake_telegram.chat_actions[0][:2] == (USER, "typing")

    message = await bot.send_message(USER, "tạm")
    assert await bot.delete_message(USER, message.message_id)
    assert fake_telegram.sent_to(USER)[0].deleted
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, message.message_id)


async def test_send_document_round_trip(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    content = b"PK\x03\x04 binary \r\n--boundary-like\r\n\x00\xff bytes"
    message = await bot.send_document(
        USER, document=content, filename="Báo cáo tháng 02.xlsx", caption="<i>Bản nháp</i>",
        parse_mode=ParseMode.HTML,
    )  # fmt: skip
    (sent,) = fake_telegram.sent_to(USER)
    assert (sent.document_name, sent.document_bytes, sent.plain_text) == (
        "Báo cáo tháng 02.xlsx",
        content,
        "Bản nháp",
    )
    assert message.document.file_name == "Báo cáo tháng 02.xlsx"
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_user_document_can_be_downloaded(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    content = "Đơn vị;Chỉ tiêu\nPhòng TC-KH;1.234,5\n".encode()
    fake_telegram.user_sends_document(USER, "so-lieu.csv", content, caption="Số liệu")
    (update,) = await bot.get_updates()
    document = update.message.document
    assert (document.file_name, document.file_size, update.message.caption) == (
        "so-lieu.csv",
        len(content),
        "Số liệu",
    )
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("no-such-file")


# ---- fault injection -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_429_surfaces_as_retry_after(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "lần 1")
    assert retry_seconds(caught.value) == 7
    assert fake_telegram.count_429 == 1
    assert fake_telegram.sent_to(USER) == []  # the failed call had no effect
    await bot.send_message(USER, "lần 2")
    assert [m.plain_text for m in fake_telegram.sent_to(USER)] == ["lần 2"]


async def test_fail_next_5xx_surfaces_as_network_error(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.fail_next("sendMessage", 502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"(?i)Bad Gateway"):
            await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")
    assert [c.status for c in fake_telegram.calls("sendMessage")] == [502, 502, 200]


async def test_blocked_chat_is_forbidden(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    fake_telegram.block_chat(USER, notify=True)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "nhắc nộp báo cáo")
    (update,) = await bot.get_updates()
    assert update.my_chat_member.new_chat_member.status == "kicked"
    await bot.send_message(OTHER, "vẫn gửi được")
    fake_telegram.unblock_chat(USER)
    await bot.send_message(USER, "đã bỏ chặn")
    assert [m.plain_text for m in fake_telegram.sent_to(USER)] == ["đã bỏ chặn"]


async def test_delayed_request_times_out_but_is_still_carried_out(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "chậm", read_timeout=0.2)
    messages = await fake_telegram.wait_for_messages(USER, 1, timeout=3)
    assert messages[0].plain_text == "chậm"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_enforced_limits_answer_429(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    await bot.send_message(USER, "1")
    await bot.send_message(USER, "2")  # limits are off by default
    fake_telegram.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
    await bot.send_message(OTHER, "a")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(OTHER, "b")
    assert retry_seconds(caught.value) == 1
    await bot.send_message(USER + 2, "khác chat")
    assert fake_telegram.count_429 == 1
    await asyncio.sleep(1.05)
    await bot.send_message(OTHER, "b")
    assert [m.plain_text for m in fake_telegram.sent_to(OTHER)] == ["a", "b"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_group_limit_is_per_minute(fake_telegram: FakeTelegramServer, bot: Bot) -> None:
    group = -1001234567890
    fake_telegram.enforce_limits(per_chat_per_sec=100, group_per_min=2)
    await bot.send_message(group, "1")
    await bot.send_message(group, "2")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group, "3")
    assert 55 <= retry_seconds(caught.value) <= 60
    assert fake_telegram.sent_to(group)[0].params["chat_id"] == group


async def test_strict_chats_only_reach_users_who_wrote(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.strict_chats = True
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(USER, "chưa bắt đầu")
    fake_telegram.user_sends_command(USER, "start", first_name="Minh")
    await bot.send_message(USER, "đã bắt đầu")
    assert (await bot.get_chat(USER)).first_name == "Minh"


async def test_unexpected_method_is_recorded_and_fails_the_check(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    with pytest.raises(InvalidToken, match=r"(?i)Not Found"):  # PTB maps 404 to InvalidToken
        await bot.send_photo(USER, photo=b"\x89PNG")
    assert fake_telegram.unexpected_calls == ["sendPhoto"]
    with pytest.raises(AssertionError, match="sendPhoto"):
        fake_telegram.assert_no_unexpected_calls()
    fake_telegram.allow_unexpected_methods("sendPhoto")  # so the fixture teardown passes
    fake_telegram.assert_no_unexpected_calls()


async def test_wait_for_messages_times_out_with_details(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    await bot.send_message(USER, "chỉ một")
    with pytest.raises(FakeTelegramTimeout, match=r"got 1: \['chỉ một'\]"):
        await fake_telegram.wait_for_messages(USER, 2, timeout=0.2)


def test_context_manager_frees_the_port() -> None:
    with FakeTelegramServer() as server:
        url = f"{server.base_url}{server.token}/getMe"
        assert httpx.get(url).json()["result"]["username"] == "baocao_test_bot"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=1)


# ---- a whole PTB Application -----------------------------------------------------------------


async def test_application_polls_and_answers(fake_telegram: FakeTelegramServer) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(
            f"Chào <b>{update.effective_user.first_name}</b>",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard([("Nộp", "submit")]),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("OK")
        await update.callback_query.edit_message_text("Đã chọn: nộp")

    app = fake_telegram.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            fake_telegram.user_sends_command(USER, "start", first_name="Hà")
            (greeting,) = await fake_telegram.wait_for_messages(USER, 1)
            assert greeting.plain_text == "Chào Hà"
            assert greeting.buttons == [[("Nộp", "submit")]]
            press = fake_telegram.user_presses_button(USER, greeting.message_id, "submit")
            assert (await fake_telegram.wait_for_callback_answer(press)).text == "OK"
            await fake_telegram.wait_until(
                lambda: fake_telegram.sent_to(USER)[0].plain_text == "Đã chọn: nộp"
            )
        finally:
            await app.updater.stop()
            await app.stop()
    assert fake_telegram.pending_updates() == []  # PTB confirmed everything when stopping
    assert fake_telegram.count_409 == 0  # stopping abandons a long poll: not a conflict
    await fake_telegram.wait_until(  # the cancelled long poll is logged as 499, not 409
        lambda: 499 in [c.status for c in fake_telegram.calls("getUpdates")]
    )
