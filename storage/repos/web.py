"""The web dashboard's secret, used login links and sessions (see migration 0009)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage import codec
from storage.repos.base import Repository

_SECRET = "SELECT secret FROM web_secret WHERE id = 1"
_KEEP_SECRET = "INSERT OR IGNORE INTO web_secret (id, secret, created_at) VALUES (1, ?, ?)"
# INSERT OR IGNORE makes a link single-use: of two racing logins (even in other processes)
# only the first inserts its nonce.
_USE_LOGIN = "INSERT OR IGNORE INTO web_logins_used (nonce, admin_id, used_at) VALUES (?, ?, ?)"
_OPEN = """
INSERT INTO web_sessions (cookie_hash, admin_id, csrf, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)
"""
_SESSION = """
SELECT admin_id, csrf, expires_at FROM web_sessions
WHERE cookie_hash = ? AND ended_at IS NULL AND expires_at > ?
"""
_END = "UPDATE web_sessions SET ended_at = ? WHERE cookie_hash = ? AND ended_at IS NULL"
# Housekeeping: a session past its expiry or logged out opens nothing; a used link's nonce
# only matters while the link could still be valid.
_PURGE_SESSIONS = "DELETE FROM web_sessions WHERE expires_at <= ? OR ended_at IS NOT NULL"
_PURGE_LOGINS = "DELETE FROM web_logins_used WHERE used_at < ?"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in member of the office: who, the token their forms carry, until when."""

    admin_id: str
    csrf: str
    expires_at: datetime


class WebReader(Repository):
    """Reading the dashboard's secret and sessions."""

    __slots__ = ()

    async def secret(self) -> str | None:
        """The key that signs login links, if one was made."""
        value = await self._s.scalar(_SECRET)
        return None if value is None else str(value)

    async def session(self, cookie_hash: str, now: datetime | None = None) -> WebSession | None:
        """The open, unexpired session with this cookie hash, or None."""
        when = codec.timestamp(now or self._s.now())
        row = await self._s.row(_SESSION, (cookie_hash, when))
        if row is None:
            return None
        expires = codec.parse_timestamp(row["expires_at"])
        return WebSession(row["admin_id"], row["csrf"], expires)


class WebWriter(WebReader):
    """Making the secret, using links, opening and ending sessions."""

    __slots__ = ()

    async def keep_secret(self, candidate: str, at: datetime | None = None) -> str:
        """The secret: `candidate` if none was kept yet, else the one kept first."""
        await self._s.run(_KEEP_SECRET, (candidate, codec.timestamp(at or self._s.now())))
        kept = await self.secret()
        assert kept is not None
        return kept

    async def use_login(self, nonce: str, admin_id: str, at: datetime | None = None) -> bool:
        """Mark a link's nonce used; False if it was used before."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_USE_LOGIN, (nonce, admin_id, when)) == 1

    async def open_session(
        self, cookie_hash: str, admin_id: str, csrf: str, expires_at: datetime
    ) -> None:
        """Record a session opened now, valid until `expires_at`."""
        now = codec.timestamp(self._s.now())
        params = (cookie_hash, admin_id, csrf, now, codec.timestamp(expires_at))
        await self._s.run(_OPEN, params)

    async def end_session(self, cookie_hash: str, at: datetime | None = None) -> None:
        """Log out: the cookie opens nothing any more."""
        await self._s.run(_END, (codec.timestamp(at or self._s.now()), cookie_hash))

    async def purge(self, now: datetime, used_before: datetime) -> tuple[int, int]:
        """Delete sessions expired or ended by `now`, and links used before `used_before`;
        (sessions, links) deleted."""
        sessions = await self._s.run(_PURGE_SESSIONS, (codec.timestamp(now),))
        links = await self._s.run(_PURGE_LOGINS, (codec.timestamp(used_before),))
        return sessions, links
