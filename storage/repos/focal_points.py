"""Focal points: who answers for which unit, on which chat channel."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from storage import codec
from storage.records import FocalPoint
from storage.repos.base import Repository

_COLUMNS = (
    "id, unit_code, channel, user_id, chat_id, display_name, registered_at, removed_at, "
    "unreachable_at"
)

_SELECT_FOR_UNIT = f"""
SELECT {_COLUMNS} FROM focal_points
WHERE unit_code = ? AND removed_at IS NULL ORDER BY registered_at, id
"""
_SELECT_CURRENT = f"""
SELECT {_COLUMNS} FROM focal_points
WHERE removed_at IS NULL ORDER BY unit_code, registered_at, id
"""
_SELECT_UNITS_OF = """
SELECT f.unit_code FROM focal_points f JOIN units u ON u.code = f.unit_code
WHERE f.channel = ? AND f.user_id = ? AND f.removed_at IS NULL
ORDER BY u.sort_order, u.code
"""
_SELECT_BY_CHAT = f"""
SELECT {_COLUMNS} FROM focal_points
WHERE channel = ? AND chat_id = ? AND removed_at IS NULL ORDER BY unit_code
"""
# Registering again refreshes chat and name and clears the unreachable flag.
_UPSERT = f"""
INSERT INTO focal_points (unit_code, channel, user_id, chat_id, display_name, registered_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (unit_code, channel, user_id) WHERE removed_at IS NULL DO UPDATE SET
    chat_id = excluded.chat_id,
    display_name = excluded.display_name,
    unreachable_at = NULL
RETURNING {_COLUMNS}
"""
# Former focal points too: a revision they made keeps their name. The latest name wins.
_SELECT_NAMES = """
SELECT channel, user_id, display_name FROM focal_points
WHERE display_name <> '' ORDER BY registered_at, id
"""
_REMOVE = "UPDATE focal_points SET removed_at = ? WHERE id = ? AND removed_at IS NULL"
_REMOVE_USER = """
UPDATE focal_points SET removed_at = ?
WHERE unit_code = ? AND channel = ? AND user_id = ? AND removed_at IS NULL
"""
_MARK_UNREACHABLE = """
UPDATE focal_points SET unreachable_at = ?
WHERE channel = ? AND chat_id = ? AND removed_at IS NULL AND unreachable_at IS NULL
"""
_MARK_REACHABLE = """
UPDATE focal_points SET unreachable_at = NULL
WHERE channel = ? AND chat_id = ? AND removed_at IS NULL AND unreachable_at IS NOT NULL
"""


def _focal_point(row: sqlite3.Row) -> FocalPoint:
    return FocalPoint(
        id=row["id"],
        unit_code=row["unit_code"],
        channel=row["channel"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        display_name=row["display_name"],
        registered_at=codec.parse_timestamp(row["registered_at"]),
        removed_at=codec.optional_parse_timestamp(row["removed_at"]),
        unreachable_at=codec.optional_parse_timestamp(row["unreachable_at"]),
    )


class FocalPointsReader(Repository):
    """Looking up focal points."""

    __slots__ = ()

    async def list_for_unit(self, unit_code: str) -> list[FocalPoint]:
        """The current focal points of a unit, earliest registered first."""
        return [_focal_point(r) for r in await self._s.rows(_SELECT_FOR_UNIT, (unit_code,))]

    async def current_by_unit(self) -> dict[str, list[FocalPoint]]:
        """Every unit's current focal points, earliest registered first, in one read (a
        unit with none is left out): the overview of thousands of units."""
        found: dict[str, list[FocalPoint]] = {}
        for row in await self._s.rows(_SELECT_CURRENT):
            found.setdefault(row["unit_code"], []).append(_focal_point(row))
        return found

    async def units_of(self, channel: str, user_id: str) -> list[str]:
        """Codes of the units a chat user currently answers for, in configured order."""
        return [r[0] for r in await self._s.rows(_SELECT_UNITS_OF, (channel, user_id))]

    async def by_chat(self, channel: str, chat_id: str) -> list[FocalPoint]:
        """Current focal-point registrations reached through one chat."""
        return [_focal_point(r) for r in await self._s.rows(_SELECT_BY_CHAT, (channel, chat_id))]

    async def display_names(self) -> dict[str, str]:
        """Each chat user's last known name, by "channel:user_id" (how answers name who
        typed them)."""
        rows = await self._s.rows(_SELECT_NAMES)
        return {f"{r['channel']}:{r['user_id']}": r["display_name"] for r in rows}


class FocalPointsWriter(FocalPointsReader):
    """Registering and removing focal points."""

    __slots__ = ()

    async def add(
        self,
        unit_code: str,
        channel: str,
        user_id: str,
        chat_id: str,
        display_name: str = "",
        at: datetime | None = None,
    ) -> FocalPoint:
        """Register a user for a unit; registering again just refreshes chat and name."""
        when = codec.timestamp(at or self._s.now())
        row = await self._s.one(_UPSERT, (unit_code, channel, user_id, chat_id, display_name, when))
        return _focal_point(row)

    async def remove(self, focal_point_id: int, at: datetime | None = None) -> bool:
        """End a registration by its id (kept as history); False if it was not current."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_REMOVE, (when, focal_point_id)) > 0

    async def remove_user(
        self, unit_code: str, channel: str, user_id: str, at: datetime | None = None
    ) -> bool:
        """End a user's registration for a unit (kept as history); False if there was none."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_REMOVE_USER, (when, unit_code, channel, user_id)) > 0

    async def mark_unreachable(self, channel: str, chat_id: str, at: datetime | None = None) -> int:
        """Flag the registrations of a chat the platform refuses to deliver to; rows changed."""
        when = codec.timestamp(at or self._s.now())
        return await self._s.run(_MARK_UNREACHABLE, (when, channel, chat_id))

    async def mark_reachable(self, channel: str, chat_id: str) -> int:
        """Clear the unreachable flag once the chat answers again; rows changed."""
        return await self._s.run(_MARK_REACHABLE, (channel, chat_id))
