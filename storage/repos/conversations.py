"""Conversation state per chat user, so a dialogue survives a restart."""

from __future__ import annotations

from datetime import datetime

from storage import codec
from storage.codec import JsonObject
from storage.repos.base import Repository

_SELECT = "SELECT state FROM conversations WHERE channel = ? AND user_id = ?"
_UPSERT = """
INSERT INTO conversations (channel, user_id, state, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (channel, user_id) DO UPDATE SET
    state = excluded.state,
    updated_at = excluded.updated_at
"""
_DELETE = "DELETE FROM conversations WHERE channel = ? AND user_id = ?"


class ConversationsReader(Repository):
    """Reading conversation state."""

    __slots__ = ()

    async def get(self, channel: str, user_id: str) -> JsonObject | None:
        """The stored state of a user's conversation, or None if there is none."""
        text = await self._s.scalar(_SELECT, (channel, user_id))
        return None if text is None else codec.load_json(text)


class ConversationsWriter(ConversationsReader):
    """Saving and ending conversations."""

    __slots__ = ()

    async def put(
        self, channel: str, user_id: str, state: JsonObject, at: datetime | None = None
    ) -> None:
        """Save a user's conversation state (a JSON object), replacing the previous one."""
        when = codec.timestamp(at or self._s.now())
        await self._s.run(_UPSERT, (channel, user_id, codec.dump_json(state), when))

    async def delete(self, channel: str, user_id: str) -> bool:
        """Forget a user's conversation; False if there was none."""
        return await self._s.run(_DELETE, (channel, user_id)) > 0
