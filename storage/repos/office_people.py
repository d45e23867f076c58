"""The names office staff go by on their chat platform (config.toml lists them by id)."""

from __future__ import annotations

from datetime import datetime

from storage import codec
from storage.repos.base import Repository

# Written only when the name is new or changed: a member's every message costs no write.
_REMEMBER = """
INSERT INTO office_people (person_key, display_name, seen_at) VALUES (?, ?, ?)
ON CONFLICT (person_key) DO UPDATE SET display_name = excluded.display_name,
    seen_at = excluded.seen_at
WHERE display_name <> excluded.display_name
"""
_NAMES = "SELECT person_key, display_name FROM office_people"


class OfficePeopleReader(Repository):
    """Reading staff names."""

    __slots__ = ()

    async def names(self) -> dict[str, str]:
        """'channel:user_id' -> the name the member last went by."""
        return {row[0]: row[1] for row in await self._s.rows(_NAMES)}


class OfficePeopleWriter(OfficePeopleReader):
    """Remembering staff names."""

    __slots__ = ()

    async def remember(self, person_key: str, display_name: str, at: datetime) -> None:
        """The name a member goes by now (nothing is written if it is the one known)."""
        await self._s.run(_REMEMBER, (person_key, display_name, codec.timestamp(at)))
