"""The one ingress: an update is stored before anything acknowledges it, a full database
stores and acknowledges nothing (and tells the sender), and each poll cursor gives a batch
again until it is confirmed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.channels import zalo
from bot.channels.telegram import parse_update
from bot.runtime.inbox import InboxWorker, store_updates
from bot.runtime.ingress import Ingress
from bot.runtime.outage import StorageOutage
from bot.runtime.polling import TelegramCursor, ZaloCursor
from bot.runtime.webhook import TryLater
from handlers.events import Incoming, Reply
from storage import Database

NOW = datetime(2022, 2, 11, 2, 0, tzinfo=UTC)


def _telegram(update_id: int, chat: int = 7) -> dict[str, Any]:
    user = {"id": chat, "first_name": "Lan"}
    message = {"message_id": update_id, "date": 0, "chat": {"id": chat}, "from": user}
    return {"update_id": update_id, "message": {**message, "text": "259"}}


class Sent:
    """A channel that records what it is asked to send."""

    name = "telegram"

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Record the text."""
        self.texts.append((chat_id, payload["text"]))


async def _no_replies(event: Incoming, ctx: Any) -> list[Reply]:
    return []


async def _fill(db: Database) -> None:
    async with db.write():
        pages = next(iter(await db._writer.execute_fetchall("PRAGMA page_count")))[0]
        await db._writer.execute(f"PRAGMA max_page_count = {pages}")


async def _free(db: Database) -> None:
    async with db.write():
        await db._writer.execute("PRAGMA max_page_count = 1073741823")


async def _stored(db: Database) -> list[str]:
    async with db.read() as r:
        return [i.external_id for i in await r.inbox.next_unhandled()]


@pytest.fixture
async def db(tmp_path: Path) -> Any:
    """A fresh database."""
    database = await Database.open(tmp_path / "baocao.sqlite3", clock=lambda: NOW)
    yield database
    await database.close()


def _ingress(db: Database, sent: Sent) -> Ingress:
    parsers = {"telegram": parse_update}
    context = lambda tx: tx  # noqa: E731 (handlers never run here)
    worker = InboxWorker(db, parsers, _no_replies, context, lambda: NOW, lambda queued: None)
    outage = StorageOutage(lambda: {"telegram": sent}, parsers, [], lambda: NOW, UTC)
    return Ingress(worker, outage)


async def test_a_full_database_stores_nothing_and_tells_the_sender_once(db: Database) -> None:
    sent = Sent()
    ingress = _ingress(db, sent)
    await _fill(db)
    # Updates big enough to need new pages, which the full file cannot give.
    big = [_telegram(n) | {"pad": "x" * 20_000} for n in (1, 2)]
    assert await ingress.pushed("telegram", big) is False
    assert await ingress.polled("telegram", big) is False
    with pytest.raises(TryLater):
        await ingress.webhook("telegram")(big[0])
    assert await _stored(db) == []
    assert ingress.outage is not None and ingress.outage.active
    assert len(sent.texts) == 1 and sent.texts[0][0] == "7"
    await _free(db)
    assert await ingress.pushed("telegram", big) is True
    assert not ingress.outage.active
    assert await _stored(db) == ["1", "2"]


async def test_updates_without_an_id_are_left_out(db: Database) -> None:
    no_id = {"event_name": zalo.TEXT_EVENT, "message": {"text": "1"}}
    assert await store_updates(db, "zalo", [no_id]) == 0
    assert await store_updates(db, "telegram", [{"message": {}}]) == 0
    assert await _stored(db) == []


class FakeZalo:
    """Zalo's getUpdates: each update handed out once."""

    name = "zalo"

    def __init__(self, updates: list[dict[str, Any]]) -> None:
        self.updates = updates

    async def fetch_update(self) -> dict[str, Any] | None:
        """The next update, once."""
        return self.updates.pop(0) if self.updates else None


async def test_the_zalo_cursor_holds_an_update_until_it_is_confirmed() -> None:
    cursor = ZaloCursor(FakeZalo([{"n": 1}, {"n": 2}]))  # type: ignore[arg-type]
    assert await cursor.fetch() == [{"n": 1}]
    assert await cursor.fetch() == [{"n": 1}]  # not stored yet: the same one again
    cursor.confirm([{"n": 1}])
    assert await cursor.fetch() == [{"n": 2}]


class FakeTelegram:
    """Telegram's getUpdates: what it was asked for."""

    name = "telegram"

    def __init__(self) -> None:
        self.offsets: list[int | None] = []

    async def fetch_updates(
        self, offset: int | None, timeout: int | None = None
    ) -> list[dict[str, Any]]:
        """Record the offset; two updates."""
        self.offsets.append(offset)
        return [_telegram(5), _telegram(6)]


async def test_the_telegram_cursor_moves_its_offset_only_on_confirmation() -> None:
    telegram = FakeTelegram()
    cursor = TelegramCursor(telegram)  # type: ignore[arg-type]
    batch = await cursor.fetch()
    await cursor.fetch()
    cursor.confirm(batch)
    await cursor.fetch()
    assert telegram.offsets == [None, None, 7]


def test_an_update_without_an_id_does_not_stop_the_cursor() -> None:
    cursor = TelegramCursor(FakeTelegram())  # type: ignore[arg-type]
    cursor.confirm([{"message": {}}])  # left out by the inbox: the offset stays
    assert cursor.offset is None
    cursor.confirm([{"message": {}}, _telegram(9)])
    assert cursor.offset == 10
