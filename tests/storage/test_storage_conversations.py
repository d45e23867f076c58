"""Conversations: JSON state per chat user."""

from __future__ import annotations

import pytest

from storage import Database


async def test_put_get_replace_delete(db: Database) -> None:
    state = {"unit": "UBND_A", "form": "BC01", "field": 3, "draft": {"ghi_chú": "đã rà soát"}}
    async with db.write() as tx:
        assert await tx.conversations.get("telegram", "111") is None
        await tx.conversations.put("telegram", "111", state)
        await tx.conversations.put("zalo", "111", {"other": True})
    async with db.read() as r:
        assert await r.conversations.get("telegram", "111") == state
    async with db.write() as tx:
        await tx.conversations.put("telegram", "111", {"field": 4})
        assert await tx.conversations.get("telegram", "111") == {"field": 4}
        assert await tx.conversations.delete("telegram", "111") is True
        assert await tx.conversations.delete("telegram", "111") is False
        assert await tx.conversations.get("telegram", "111") is None
        assert await tx.conversations.get("zalo", "111") == {"other": True}


async def test_state_must_be_a_json_object(db: Database) -> None:
    with pytest.raises(TypeError):
        async with db.write() as tx:
            await tx.conversations.put("telegram", "1", ["not", "an", "object"])  # type: ignore[arg-type]
