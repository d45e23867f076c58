"""Rows the storage layer returns that have no counterpart in `domain` (chat plumbing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.periods import Period


@dataclass(frozen=True, slots=True)
class UnitSyncResult:
    """What a units-file sync changed: codes added, removed from the file, and back again."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    restored: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FocalPoint:
    """A chat user registered as focal point (đầu mối) of one unit."""

    id: int
    unit_code: str
    channel: str
    user_id: str
    chat_id: str
    display_name: str
    registered_at: datetime
    removed_at: datetime | None = None
    unreachable_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    """A single-use registration code for one unit."""

    code: str
    unit_code: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: str | None = None

    def usable(self, now: datetime) -> bool:
        """Whether the code can still be redeemed at `now`."""
        return self.used_at is None and now < self.expires_at


@dataclass(frozen=True, slots=True)
class PeriodRecord:
    """The stored lifecycle of a reporting period."""

    period: Period
    opened_at: datetime | None = None
    locked_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether prompts went out and no lock has closed it."""
        return self.opened_at is not None and self.locked_at is None

    @property
    def is_locked(self) -> bool:
        """Whether the period is closed to edits."""
        return self.locked_at is not None


@dataclass(frozen=True, slots=True)
class InboxItem:
    """An update received from a chat platform, stored before it was acknowledged."""

    id: int
    channel: str
    external_id: str
    payload: dict[str, Any]
    received_at: datetime
    handled_at: datetime | None = None
    attempts: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message waiting to be (or already) sent to a chat."""

    id: int
    channel: str
    chat_id: str
    payload: dict[str, Any]
    priority: int
    dedup_key: str | None
    created_at: datetime
    not_before: datetime | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str | None = None
    unknown_outcome: bool = False
    runs: int = 0  # a job's runs started and not ended: cut short by a crash
    quarantined_at: datetime | None = None  # a job that kept crashing, set aside
    platform_ref: str | None = None  # the platform's id of the sent message (a reply names it)


@dataclass(frozen=True, slots=True)
class Draft:
    """One generated version of a period's report document."""

    id: int
    period_key: str
    version: int
    created_at: datetime
    created_by: str
    stale: bool
    file_name: str
    content: bytes


@dataclass(frozen=True, slots=True)
class DraftVersion:
    """A stored version of a period's draft as listed: its document left out, its size kept."""

    id: int
    period_key: str
    version: int
    created_at: datetime
    created_by: str
    stale: bool
    file_name: str
    size: int
    # The review sheet kept with it ("" and 0 for a draft stored before they were kept).
    review_name: str = ""
    review_size: int = 0


@dataclass(frozen=True, slots=True)
class DraftReview:
    """The review sheet (…_ra-soat.docx) made with a stored draft version."""

    draft_id: int
    file_name: str
    content: bytes


# Bulk rows of a whole period (report, export): plain tuples, because a 5.000-unit office
# has hundreds of thousands of answers and an object per answer costs more than the rest.
UnitValues = tuple[str, str, dict[str, str | None], dict[str, str]]
"""One unit's answers to one form: (form code, unit code, field key -> stored value,
field key -> explanation (only the explained fields))."""

RevisionRow = tuple[str, str, str, str | None, str | None, str, str, str | None, str | None]
"""A revision as (form, unit, field, old value, new value, changed at (stored UTC text),
changed by, source message, explanation)."""
