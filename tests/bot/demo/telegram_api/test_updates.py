"""The fake Bot API's updates, buttons, edits and other methods, driven by a real ``Bot``."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, MessageEntity
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
)

from bot.demo.telegram_api import (
    FakeTelegramServer,
)
from tests.bot.demo.telegram_api.clients import USER, keyboard

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


@pytest.mark.slow
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
