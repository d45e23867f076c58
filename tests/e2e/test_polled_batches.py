"""A polled batch is stored and handled in one transaction; one failing event spoils nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.runtime.app
from bot.demo.telegram_api import FakeTelegramServer
from handlers.context import HandlerContext
from handlers.events import Incoming, Reply
from handlers.router import handle
from templates.catalog import text
from tests.support.clock import FakeClock
from tests.support.harness import start_bot, stop_or_explain

ALICE, BOB, CAROL = 1001, 1002, 1003
POISON = "259999"  # the answer whose handling fails (a bug in a handler, say)


async def test_a_failing_event_in_a_polled_batch_leaves_the_others_answered_once(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)

    async def failing_on_poison(event: Incoming, ctx: HandlerContext) -> list[Reply]:
        replies = await handle(event, ctx)  # its writes too, to be rolled back
        if event.text == POISON:
            raise RuntimeError("a handler bug")
        return replies

    monkeypatch.setattr(bot.runtime.app, "handle", failing_on_poison)
    first = await start_bot(tmp_path, fake_telegram, clock)
    for user, unit in ((ALICE, "SYT"), (BOB, "BDT"), (CAROL, "VP")):
        await first.register(user, unit)
        await first.command(user, "baocao")
    await stop_or_explain(first)
    # While the bot is down three answers wait at Telegram: the next start polls them as one
    # batch, the poisoned one in the middle.
    before = {user: len(fake_telegram.sent_to(user)) for user in (ALICE, BOB, CAROL)}
    ids = [
        fake_telegram.user_sends_text(ALICE, "259"),
        fake_telegram.user_sends_text(BOB, POISON),
        fake_telegram.user_sends_text(CAROL, "472"),
    ]
    second = await start_bot(tmp_path, fake_telegram, clock)
    try:
        for user in (ALICE, BOB, CAROL):
            await fake_telegram.wait_for_messages(user, before[user] + 1)
        await fake_telegram.wait_until(
            lambda: all(i in fake_telegram.confirmed_update_ids() for i in ids) or None
        )
        replies = {user: _new(fake_telegram, user, before[user]) for user in (ALICE, BOB, CAROL)}
        assert [r.startswith("✓ Đã ghi: 259") for r in replies[ALICE]] == [True]
        assert [r.startswith("✓ Đã ghi: 472") for r in replies[CAROL]] == [True]
        assert replies[BOB] == [_plain(text("chat.internal_error"))]
        async with second.db.read() as r:
            alice = await r.answers.for_obligation("SYT", "cts", "2022-02")
            bob = await r.answers.for_obligation("BDT", "cts", "2022-02")
            carol = await r.answers.for_obligation("VP", "cts", "2022-02")
            rows = await r.inbox.next_unhandled(100)
        assert {k: a.value for k, a in alice.items()} == {"cap_moi": "259"}
        assert bob == {}  # the failed handling kept nothing
        assert {k: a.value for k, a in carol.items()} == {"cap_moi": "472"}
        assert rows == []  # each settled, the failed one with its error
    finally:
        await stop_or_explain(second)
    assert fake_telegram.internal_errors == []


def _new(fake: FakeTelegramServer, user: int, before: int) -> list[str]:
    return [m.plain_text or "" for m in fake.sent_to(user)[before:]]


def _plain(html: Any) -> str:
    return str(html).replace("<b>", "").replace("</b>", "")
