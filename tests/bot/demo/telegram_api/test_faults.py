"""The fake Bot API's fault injection, and a whole PTB Application against it."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from bot.demo.telegram_api import (
    FakeTelegramServer,
    FakeTelegramTimeout,
)
from tests.bot.demo.telegram_api.clients import OTHER, USER, keyboard, retry_seconds

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


@pytest.mark.slow
async def test_delayed_request_times_out_but_is_still_carried_out(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.delay_next("sendMessage", 1.0)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "chậm", read_timeout=0.2)
    messages = await fake_telegram.wait_for_messages(USER, 1, timeout=3)
    assert messages[0].plain_text == "chậm"


@pytest.mark.slow
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


async def test_network_delay_holds_calls_both_ways_and_limits_count_on_arrival(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    fake_telegram.network_delay(0.15)
    fake_telegram.enforce_limits(per_chat_per_sec=1, global_per_sec=30, group_per_min=20)
    started = time.time()
    await bot.send_message(USER, "xa")
    answered = time.time()
    (message,) = fake_telegram.sent_to(USER)
    # Recorded (and counted) on arrival, half-way through the round trip.
    assert message.sent_at - started >= 0.15
    assert answered - message.sent_at >= 0.15
    assert fake_telegram.count_429 == 0


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
