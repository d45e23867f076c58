"""A restart with a question message of unknown fate (accepted by Telegram just before a
crash, never marked sent): the updates that came meanwhile are handled first, and the
question is sent again only if it is still the one the person has to answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.demo.telegram_api import FakeTelegramServer
from bot.runtime.restart import SUPERSEDED
from tests.support.clock import FakeClock
from tests.support.harness import start_bot, stop_or_explain

ALICE = 1004


async def _asked_then_down(tmp_path: Path, fake: FakeTelegramServer, clock: FakeClock) -> int:
    """Alice is asked câu 1; the bot stops, and that message counts as never marked sent
    (as after a SIGKILL within the marking window); the outbox id of the message."""
    first = await start_bot(tmp_path, fake, clock)
    await first.register(ALICE, "SYT")
    assert "Câu 1/" in await first.command(ALICE, "baocao")
    await stop_or_explain(first)
    with sqlite3.connect(first.workspace.settings.storage.path) as con:
        (last,) = con.execute(
            "SELECT max(id) FROM outbox WHERE chat_id = ?", (str(ALICE),)
        ).fetchone()
        con.execute("UPDATE outbox SET sent_at = NULL WHERE id = ?", (last,))
    return int(last)


def _asked(fake: FakeTelegramServer, number: int) -> int:
    return sum(1 for m in fake.sent_to(ALICE) if f"Câu {number}/" in (m.plain_text or ""))


async def test_an_answer_sent_while_down_supersedes_the_question_in_doubt(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    message_id = await _asked_then_down(tmp_path, fake_telegram, clock)
    before = len(fake_telegram.sent_to(ALICE))
    fake_telegram.user_sends_text(ALICE, "5")  # waits at Telegram while the bot is down
    second = await start_bot(tmp_path, fake_telegram, clock)
    try:
        replies = await fake_telegram.wait_for_messages(ALICE, before + 1)
        async with second.db.read() as r:
            message = await r.outbox.get(message_id)
    finally:
        await stop_or_explain(second)
    assert replies[-1].plain_text is not None and replies[-1].plain_text.startswith("✓ Đã ghi: 5")
    assert _asked(fake_telegram, 1) == 1  # never sent again
    assert message is not None and message.sent_at is None and message.last_error == SUPERSEDED


async def test_a_question_still_current_is_sent_again_and_its_copy_answer_held(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    await _asked_then_down(tmp_path, fake_telegram, clock)
    second = await start_bot(tmp_path, fake_telegram, clock)
    try:
        await fake_telegram.wait_until(lambda: _asked(fake_telegram, 1) == 2 or None)
        first_answer = await second.say(ALICE, "5")
        copy_answer = await second.say(ALICE, "5")  # the answer to the copy of câu 1
        async with second.db.read() as r:
            answers = await r.answers.for_obligation("SYT", "cts", "2022-02")
    finally:
        await stop_or_explain(second)
    assert first_answer.startswith("✓ Đã ghi: 5") and "Câu 2/" in first_answer
    assert "giống hệt số vừa ghi cho câu 1" in copy_answer
    assert {k: a.value for k, a in answers.items()} == {"cap_moi": "5"}
