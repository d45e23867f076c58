"""A full database: nothing unstored is acknowledged, people and the office are told once,
and everything is handled exactly once when space returns.

The disk is filled, and freed again, by tests/support/disk_full.py.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import httpx
import pytest

from bot.demo.telegram_api import FakeTelegramServer
from storage import Database
from tests.support.clock import FakeClock
from tests.support.disk_full import OFFICE_NOTICE, USER_NOTICE, fill_database, free_space
from tests.support.harness import OFFICE_USER, BotUnderTest, start_bot, stop_or_explain
from tests.support.ports import free_port

PEOPLE = {501: "SYT", 502: "BDT", 503: "VP"}


def _count(fake: FakeTelegramServer, chat: int, words: str) -> int:
    return sum(words in (m.plain_text or "") for m in fake.sent_to(chat))


async def _inbox_rows(db: Database) -> list[tuple[str, str | None, str | None]]:
    """(external_id, handled_at, error) of every Telegram update in the inbox."""
    conn = sqlite3.connect(db.path)
    try:
        return list(
            conn.execute(
                "SELECT external_id, handled_at, error FROM inbox WHERE channel = 'telegram'"
            )
        )
    finally:
        conn.close()


@pytest.mark.slow
async def test_polling_with_a_full_database_acknowledges_nothing_and_recovers(
    bot: BotUnderTest, fake_telegram: FakeTelegramServer
) -> None:
    for person, unit in PEOPLE.items():
        await bot.register(person, unit)
        await bot.command(person, "baocao")
    before = {p: len(fake_telegram.sent_to(p)) for p in PEOPLE}
    office_before = len(fake_telegram.sent_to(OFFICE_USER))

    await fill_database(bot.db)
    sent: list[int] = []
    for person in PEOPLE:
        sent.append(fake_telegram.user_sends_text(person, "259"))
    for person in PEOPLE:  # each person is told, once
        await fake_telegram.wait_for_messages(person, before[person] + 1, timeout=15)
    # More answers while full; the poller keeps fetching the same unconfirmed batch.
    for person in PEOPLE:
        sent.append(fake_telegram.user_sends_text(person, "2.386"))
    polls = fake_telegram.get_updates_calls
    await fake_telegram.wait_until(lambda: fake_telegram.get_updates_calls >= polls + 3, 15)

    confirmed_during = set(fake_telegram.confirmed_update_ids()) & set(sent)
    stored_during = {int(e) for e, _, _ in await _inbox_rows(bot.db)} & set(sent)
    notices = {p: _count(fake_telegram, p, USER_NOTICE) for p in PEOPLE}
    office_during = _count(fake_telegram, OFFICE_USER, OFFICE_NOTICE)
    assert confirmed_during == set() and stored_during == set()
    assert notices == {p: 1 for p in PEOPLE}
    # Nothing but the notice reached anyone: no answer was handled.
    assert {p: len(fake_telegram.sent_to(p)) - before[p] for p in PEOPLE} == {p: 1 for p in PEOPLE}
    assert office_during == 1
    assert bot.app.outage is not None and bot.app.outage.active

    await free_space(bot.db)
    await fake_telegram.wait_until_confirmed(max(sent), timeout=15)
    for person in PEOPLE:  # notice + two "saved" replies
        await fake_telegram.wait_for_messages(person, before[person] + 3, timeout=15)
    rows = await _inbox_rows(bot.db)
    counts = Counter(int(e) for e, _, _ in rows if int(e) in sent)
    assert counts == Counter({update_id: 1 for update_id in sent})
    assert all(handled and not error for e, handled, error in rows if int(e) in sent)
    async with bot.db.read() as r:
        for unit in PEOPLE.values():
            stored = await r.answers.for_obligation(unit, "cts", "2022-02")
            assert {k: a.value for k, a in stored.items()} == {"cap_moi": "259", "tong": "2386"}
            assert len(await r.answers.revisions(unit, "cts", "2022-02", "cap_moi")) == 1
    for person in PEOPLE:
        replies = [m.plain_text or "" for m in fake_telegram.sent_to(person)[before[person] :]]
        assert sum(r.startswith("✓ Đã ghi: 259") for r in replies) == 1
        assert sum(r.startswith("✓ Đã ghi: 2.386") for r in replies) == 1
    assert _count(fake_telegram, OFFICE_USER, OFFICE_NOTICE) == 1
    assert len(fake_telegram.sent_to(OFFICE_USER)) - office_before == 1
    assert not bot.app.outage.active
    print(
        f"\ndisk full (polling): {len(sent)} messages during the outage, "
        f"{len(confirmed_during)} acknowledged and {len(stored_during)} stored during it, "
        f"{len(counts)} stored after recovery (each once), "
        f"{sum(notices.values())} people told once each, office notices {office_during}"
    )


async def test_webhook_with_a_full_database_answers_503_then_stores_once(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    monkeypatch.setenv("BAOCAO_TEST_SECRET", "s3cret-Token_value")
    port = free_port()
    running = await start_bot(tmp_path, fake_telegram, clock, mode="webhook", port=port)
    try:
        await fill_database(running.db)
        url = f"http://127.0.0.1:{port}/telegram"
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_value"}
        update = fake_telegram.update(fake_telegram.user_sends_command(2001, "start"))
        async with httpx.AsyncClient() as client:
            refused = [(await client.post(url, json=update, headers=headers)).status_code]
            refused.append((await client.post(url, json=update, headers=headers)).status_code)
            assert refused == [503, 503]
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert (health.status_code, health.json()["reasons"]) == (503, ["disk full"])
            assert await _inbox_rows(running.db) == []
            await fake_telegram.wait_for_messages(2001, 1)
            await free_space(running.db)
            # Telegram retries the same update: stored and handled once.
            assert (await client.post(url, json=update, headers=headers)).status_code == 200
            assert (await client.post(url, json=update, headers=headers)).status_code == 200
            health = await client.get(f"http://127.0.0.1:{port}/healthz")
            assert health.json() == {"status": "ok", "reasons": []}
            # The running bot's /metrics, on the same port.
            metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert metrics.status_code == 200 and "\nbaocao_database_readable 1\n" in metrics.text
            assert '\nbaocao_platform_reachable{channel="telegram"} 1\n' in metrics.text
        messages = await fake_telegram.wait_for_messages(2001, 2)
        assert USER_NOTICE in (messages[0].plain_text or "")
        assert "Để đăng ký" in (messages[1].plain_text or "")
        assert len(await _inbox_rows(running.db)) == 1
        assert _count(fake_telegram, OFFICE_USER, OFFICE_NOTICE) == 1
        print(f"\ndisk full (webhook): answers while full {refused}, then 200; stored once")
    finally:
        await stop_or_explain(running)
