"""Invites: single-use codes that let a chat user register as focal point of a unit."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from storage import codec
from storage.records import Invite
from storage.repos.base import Repository

_COLUMNS = "code, unit_code, created_at, expires_at, used_at, used_by"

_SELECT = f"SELECT {_COLUMNS} FROM invites WHERE code = ?"
_INSERT = f"""
INSERT INTO invites (code, unit_code, created_at, expires_at) VALUES (?, ?, ?, ?)
RETURNING {_COLUMNS}
"""
# The WHERE clause makes redemption single-use: of racing consumers (even in other
# processes) only the first UPDATE matches the row.
_CONSUME = """
UPDATE invites SET used_at = ?, used_by = ?
WHERE code = ? AND used_at IS NULL AND expires_at > ?
RETURNING unit_code
"""
_EXPIRE = "UPDATE invites SET expires_at = ? WHERE code = ? AND used_at IS NULL AND expires_at > ?"
_SELECT_OPEN_FOR_UNIT = f"""
SELECT {_COLUMNS} FROM invites
WHERE unit_code = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at, code
"""


class InviteOutcome(StrEnum):
    """How an attempt to redeem an invite code ended."""

    OK = "ok"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class Redemption(NamedTuple):
    """The outcome of `consume` and, when it succeeded, the unit the code was for."""

    outcome: InviteOutcome
    unit_code: str | None


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(
        code=row["code"],
        unit_code=row["unit_code"],
        created_at=codec.parse_timestamp(row["created_at"]),
        expires_at=codec.parse_timestamp(row["expires_at"]),
        used_at=codec.optional_parse_timestamp(row["used_at"]),
        used_by=row["used_by"],
    )


class InvitesReader(Repository):
    """Looking up invites."""

    __slots__ = ()

    async def get(self, code: str) -> Invite | None:
        """The invite with this code, used or not."""
        row = await self._s.row(_SELECT, (code,))
        return None if row is None else _invite(row)

    async def open_for_unit(self, unit_code: str, now: datetime | None = None) -> list[Invite]:
        """A unit's invites that can still be redeemed."""
        when = codec.timestamp(now or self._s.now())
        return [_invite(r) for r in await self._s.rows(_SELECT_OPEN_FOR_UNIT, (unit_code, when))]


class InvitesWriter(InvitesReader):
    """Issuing, redeeming and cancelling invites."""

    __slots__ = ()

    async def create(
        self, code: str, unit_code: str, created_at: datetime, expires_at: datetime
    ) -> Invite:
        """Store a new invite (the caller makes the unguessable code); ConstraintError if the
        code exists or the unit is unknown."""
        params = (code, unit_code, codec.timestamp(created_at), codec.timestamp(expires_at))
        return _invite(await self._s.one(_INSERT, params))

    async def consume(self, code: str, used_by: str, now: datetime | None = None) -> Redemption:
        """Redeem an invite atomically, at most once ever; unpacks as (outcome, unit_code)."""
        when = codec.timestamp(now or self._s.now())
        row = await self._s.row(_CONSUME, (when, used_by, code, when))
        if row is not None:
            return Redemption(InviteOutcome.OK, row["unit_code"])
        # Failure path only: find out why, for a helpful reply.
        existing = await self.get(code)
        if existing is None:
            return Redemption(InviteOutcome.UNKNOWN, None)
        outcome = InviteOutcome.USED if existing.used_at is not None else InviteOutcome.EXPIRED
        return Redemption(outcome, None)

    async def expire(self, code: str, now: datetime | None = None) -> bool:
        """Cancel an unused invite now; False if it was unknown, used or already expired."""
        when = codec.timestamp(now or self._s.now())
        return await self._s.run(_EXPIRE, (when, code, when)) > 0
