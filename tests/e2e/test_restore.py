"""Restoring a backup as docs/operations.md says: stop the bot, replace the file, start it."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.demo.telegram_api import FakeTelegramServer
from tests.support.clock import FakeClock
from tests.support.harness import BotUnderTest, start_bot, stop_or_explain

ALICE = 501


async def test_a_backup_taken_while_running_restores_and_is_served(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BAOCAO_TEST_TOKEN", fake_telegram.token)
    office = tmp_path / "office"
    office.mkdir()
    backup = tmp_path / "backups" / "baocao.sqlite3"
    backup.parent.mkdir()
    first = await start_bot(office, fake_telegram, clock)
    try:
        await first.register(ALICE, "SYT")
        await first.command(ALICE, "baocao")
        assert "✓ Đã ghi: 259" in await first.say(ALICE, "259")
        # Replies are marked sent a moment after Telegram took them: a backup taken before
        # that would send them again after a restore. This test is about the answers.
        await _delivery_settled(first)
        config = ["--config", str(office / "config.toml")]
        code = await asyncio.to_thread(main, ["backup", *config, "--out", str(backup)])
        assert code == 0
        # Written after the backup: a restore goes back to the backup's state.
        assert "✓ Đã ghi: 2.386" in await first.say(ALICE, "2.386")
    finally:
        await stop_or_explain(first)

    # The restore: the bot is stopped; the damaged file (with its -wal/-shm) is moved aside,
    # never deleted; the backup is copied into its place.
    database = office / "baocao.sqlite3"
    aside = tmp_path / "damaged"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        side = database.with_name(database.name + suffix)
        if side.exists():
            shutil.move(side, aside / side.name)
    shutil.copy2(backup, database)

    second = await start_bot(office, fake_telegram, clock)
    try:
        async with second.db.read() as r:
            stored = await r.answers.for_obligation("SYT", "cts", "2022-02")
            people = await r.focal_points.list_for_unit("SYT")
        assert {k: a.value for k, a in stored.items()} == {"cap_moi": "259"}
        assert [p.user_id for p in people] == [str(ALICE)]
        # Served: the conversation goes on from the backup's state (question 2 again).
        reply = await second.command(ALICE, "baocao")
        assert "Đã trả lời 1/5 câu" in reply
        assert "✓ Đã ghi: 2.386" in await second.say(ALICE, "2.386")
    finally:
        await stop_or_explain(second)


async def _delivery_settled(running: BotUnderTest) -> None:
    for _ in range(200):
        async with running.db.read() as r:
            if await r.outbox.pending_count() == 0:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not settle")
