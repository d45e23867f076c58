"""Report drafts: numbered versions of the generated document for each period."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from domain.periods import Period
from storage import codec
from storage.records import Draft, DraftReview, DraftVersion
from storage.repos.base import Repository

_COLUMNS = "id, period_key, version, created_at, created_by, stale, file_name, content"

# The next version is computed in the INSERT itself; the write lock and the UNIQUE
# constraint keep two drafts from getting the same number.
_INSERT = f"""
INSERT INTO drafts (period_key, version, created_at, created_by, stale, file_name, content)
SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, 0, ?, ? FROM drafts WHERE period_key = ?
RETURNING {_COLUMNS}
"""
_SELECT_LATEST = f"SELECT {_COLUMNS} FROM drafts WHERE period_key = ? ORDER BY version DESC LIMIT 1"
_SELECT_NEXT = "SELECT COALESCE(MAX(version), 0) + 1 FROM drafts WHERE period_key = ?"
_SELECT_VERSION = f"SELECT {_COLUMNS} FROM drafts WHERE period_key = ? AND version = ?"
# The versions' list leaves the documents themselves in the database: only their sizes.
_SELECT_VERSIONS = """
SELECT d.id, d.period_key, d.version, d.created_at, d.created_by, d.stale, d.file_name,
       length(d.content) AS size,
       COALESCE(r.file_name, '') AS review_name, COALESCE(length(r.content), 0) AS review_size
FROM drafts AS d LEFT JOIN draft_reviews AS r ON r.draft_id = d.id
WHERE d.period_key = ? ORDER BY d.version DESC
"""
_SELECT_REVIEW = "SELECT draft_id, file_name, content FROM draft_reviews WHERE draft_id = ?"
_INSERT_REVIEW = "INSERT INTO draft_reviews (draft_id, file_name, content) VALUES (?, ?, ?)"
_SELECT_BY_ID = f"SELECT {_COLUMNS} FROM drafts WHERE id = ?"
_MARK_STALE = "UPDATE drafts SET stale = 1 WHERE period_key = ? AND stale = 0"


def _common(row: sqlite3.Row) -> dict[str, Any]:
    """The columns a stored draft and a listed version share."""
    return {
        "id": row["id"],
        "period_key": row["period_key"],
        "version": row["version"],
        "created_at": codec.parse_timestamp(row["created_at"]),
        "created_by": row["created_by"],
        "stale": bool(row["stale"]),
        "file_name": row["file_name"],
    }


def _draft(row: sqlite3.Row) -> Draft:
    return Draft(**_common(row), content=bytes(row["content"]))


def _version(row: sqlite3.Row) -> DraftVersion:
    return DraftVersion(
        **_common(row),
        size=row["size"],
        review_name=row["review_name"],
        review_size=row["review_size"],
    )


class DraftsReader(Repository):
    """Fetching drafts."""

    __slots__ = ()

    async def latest(self, period: Period | str) -> Draft | None:
        """The newest draft of a period, or None."""
        row = await self._s.row(_SELECT_LATEST, (codec.period_key(period),))
        return None if row is None else _draft(row)

    async def next_version(self, period: Period | str) -> int:
        """The version number the period's next draft gets (1 for its first)."""
        row = await self._s.one(_SELECT_NEXT, (codec.period_key(period),))
        return int(row[0])

    async def get(self, period: Period | str, version: int) -> Draft | None:
        """One version of a period's draft, or None."""
        row = await self._s.row(_SELECT_VERSION, (codec.period_key(period), version))
        return None if row is None else _draft(row)

    async def versions(self, period: Period | str) -> list[DraftVersion]:
        """Every stored version of a period's draft, newest first, without its document."""
        rows = await self._s.rows(_SELECT_VERSIONS, (codec.period_key(period),))
        return [_version(row) for row in rows]

    async def by_id(self, draft_id: int) -> Draft | None:
        """The stored draft with this row id (any period), or None."""
        row = await self._s.row(_SELECT_BY_ID, (draft_id,))
        return None if row is None else _draft(row)

    async def review(self, draft_id: int) -> DraftReview | None:
        """The review sheet kept with the draft of this row id, or None (none was kept)."""
        row = await self._s.row(_SELECT_REVIEW, (draft_id,))
        if row is None:
            return None
        return DraftReview(row["draft_id"], row["file_name"], bytes(row["content"]))


class DraftsWriter(DraftsReader):
    """Storing drafts and invalidating them."""

    __slots__ = ()

    async def add(
        self,
        period: Period | str,
        file_name: str,
        content: bytes,
        created_by: str,
        at: datetime | None = None,
    ) -> Draft:
        """Store a new draft as the period's next version (1, 2, ...); the period must exist."""
        key = codec.period_key(period)
        when = codec.timestamp(at or self._s.now())
        row = await self._s.one(_INSERT, (key, when, created_by, file_name, content, key))
        return _draft(row)

    async def mark_stale(self, period: Period | str) -> int:
        """Flag a period's drafts as outdated (answers changed after them); rows changed."""
        return await self._s.run(_MARK_STALE, (codec.period_key(period),))

    async def keep_review(self, draft_id: int, file_name: str, content: bytes) -> None:
        """Keep the review sheet made with a stored draft (in the transaction storing it)."""
        await self._s.run(_INSERT_REVIEW, (draft_id, file_name, content))
