"""Answers a unit gave, and the revisions that record every change to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Answer:
    """The current value of one field for one unit, form and period.

    `value` is canonical text: a plain decimal ("1924862", "20.33"), an ISO date, or the
    text itself; `domain.values.decode` turns it back into a typed value.
    """

    unit_code: str
    form_code: str
    period_key: str
    field_key: str
    value: str | None
    explanation: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One change to an answer: who, when, through which message, old and new value."""

    unit_code: str
    form_code: str
    period_key: str
    field_key: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: str
    source_message: str | None = None
    explanation: str | None = None
