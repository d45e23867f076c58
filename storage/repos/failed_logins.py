"""Failed registration attempts, counted per chat to refuse brute-forcing invite codes."""

from __future__ import annotations

from datetime import datetime

from storage import codec
from storage.repos.base import Repository

_INSERT = "INSERT INTO failed_logins (channel, chat_id, at) VALUES (?, ?, ?)"
_COUNT = "SELECT COUNT(*) FROM failed_logins WHERE channel = ? AND chat_id = ? AND at >= ?"
_PURGE = "DELETE FROM failed_logins WHERE at < ?"


class FailedLoginsReader(Repository):
    """Counting failed attempts."""

    __slots__ = ()

    async def count_since(self, channel: str, chat_id: str, since: datetime) -> int:
        """How many attempts from this chat failed at or after `since`."""
        count = await self._s.scalar(_COUNT, (channel, chat_id, codec.timestamp(since)))
        return int(count)


class FailedLoginsWriter(FailedLoginsReader):
    """Recording and forgetting failed attempts."""

    __slots__ = ()

    async def record(self, channel: str, chat_id: str, at: datetime | None = None) -> None:
        """Remember one failed attempt from a chat."""
        await self._s.run(_INSERT, (channel, chat_id, codec.timestamp(at or self._s.now())))

    async def purge(self, before: datetime) -> int:
        """Forget attempts older than `before`; rows deleted."""
        return await self._s.run(_PURGE, (codec.timestamp(before),))
