"""The file a job names (a ticket export, a filled form) is fetched the same way for both:
an unreachable platform runs the job again, anything else tells the chat and stops it."""

from __future__ import annotations

import pytest

from bot.channels.base import FileTooLarge, RetryLater
from bot.runtime.ticket_import import fetched
from storage import Database

PAYLOAD = {"job": "x", "file_name": "a.xlsx", "file_ref": "f1", "reply_channel": "telegram"}


async def _told(db: Database) -> list[tuple[str, str, str]]:
    async with db.read() as r:
        return [(m.channel, m.chat_id, m.payload["text"]) for m in await r.outbox.due(limit=10)]


async def test_the_file_is_returned_and_nothing_said(db: Database) -> None:
    asked: list[tuple[str, str]] = []

    async def fetch(channel: str, ref: str) -> bytes:
        asked.append((channel, ref))
        return b"data"

    assert await fetched(db, fetch, "900", PAYLOAD, "big", "failed") == b"data"
    assert asked == [("telegram", "f1")]
    assert await _told(db) == []


async def test_a_file_too_big_is_refused_in_the_chat(db: Database) -> None:
    async def fetch(channel: str, ref: str) -> bytes:
        raise FileTooLarge(99)

    assert await fetched(db, fetch, "900", PAYLOAD, "big", "failed") is None
    assert await _told(db) == [("telegram", "900", "big")]


@pytest.mark.parametrize("broken", [None, "raises"])
async def test_no_way_to_fetch_says_the_download_failed(db: Database, broken: str | None) -> None:
    async def fetch(channel: str, ref: str) -> bytes:
        raise LookupError(channel)

    assert await fetched(db, fetch if broken else None, "900", PAYLOAD, "big", "failed") is None
    assert await _told(db) == [("telegram", "900", "failed")]


async def test_an_unreachable_platform_runs_the_job_again(db: Database) -> None:
    async def fetch(channel: str, ref: str) -> bytes:
        raise RetryLater(5)

    with pytest.raises(RetryLater):
        await fetched(db, fetch, "900", PAYLOAD, "big", "failed")
    assert await _told(db) == []
