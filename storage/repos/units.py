"""Units, mirrored from the units file; rows are never deleted because answers refer to them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from domain.units import Unit
from storage import codec
from storage.records import UnitSyncResult
from storage.repos.base import Repository

_COLUMNS = "code, name, group_name, forms, aliases, sort_order, effective_from, effective_to"

_SELECT_ONE = f"SELECT {_COLUMNS} FROM units WHERE code = ?"
_SELECT_CURRENT = f"SELECT {_COLUMNS} FROM units WHERE removed_at IS NULL ORDER BY sort_order, code"
_SELECT_ALL = f"SELECT {_COLUMNS} FROM units ORDER BY sort_order, code"
_SELECT_STATUS = "SELECT code, removed_at FROM units"

_UPSERT = f"""
INSERT INTO units ({_COLUMNS}, synced_at, removed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
ON CONFLICT (code) DO UPDATE SET
    name = excluded.name,
    group_name = excluded.group_name,
    forms = excluded.forms,
    aliases = excluded.aliases,
    sort_order = excluded.sort_order,
    effective_from = excluded.effective_from,
    effective_to = excluded.effective_to,
    synced_at = excluded.synced_at,
    removed_at = NULL
"""
_MARK_REMOVED = "UPDATE units SET removed_at = ? WHERE code = ?"


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        code=row["code"],
        name=row["name"],
        group=row["group_name"],
        forms=codec.load_list(row["forms"]),
        order=row["sort_order"],
        aliases=codec.load_list(row["aliases"]),
        effective_from=codec.optional_parse_date(row["effective_from"]),
        effective_to=codec.optional_parse_date(row["effective_to"]),
    )


class UnitsReader(Repository):
    """Reading units."""

    __slots__ = ()

    async def get(self, code: str) -> Unit | None:
        """The unit with this code, even if it has since left the units file."""
        row = await self._s.row(_SELECT_ONE, (code,))
        return None if row is None else _unit(row)

    async def all(self, include_removed: bool = False) -> list[Unit]:
        """Units in their configured order; those gone from the units file only on request."""
        rows = await self._s.rows(_SELECT_ALL if include_removed else _SELECT_CURRENT)
        return [_unit(row) for row in rows]


class UnitsWriter(UnitsReader):
    """Reading and syncing units."""

    __slots__ = ()

    async def sync_all(self, units: Sequence[Unit]) -> UnitSyncResult:
        """Make the table match the units file: upsert every unit, flag the missing ones."""
        codes = [u.code for u in units]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate unit codes in the units file")
        now = codec.timestamp(self._s.now())
        before = {row["code"]: row["removed_at"] for row in await self._s.rows(_SELECT_STATUS)}
        await self._s.run_many(
            _UPSERT,
            [
                (
                    u.code,
                    u.name,
                    u.group,
                    codec.dump_list(u.forms),
                    codec.dump_list(u.aliases),
                    u.order,
                    codec.optional_date(u.effective_from),
                    codec.optional_date(u.effective_to),
                    now,
                )
                for u in units
            ],
        )
        listed = set(codes)
        removed = sorted(c for c, gone in before.items() if gone is None and c not in listed)
        await self._s.run_many(_MARK_REMOVED, [(now, code) for code in removed])
        return UnitSyncResult(
            added=tuple(c for c in codes if c not in before),
            removed=tuple(removed),
            restored=tuple(c for c in codes if before.get(c) is not None),
        )
