"""Citizen-feedback tickets (phiếu phản ánh, kiến nghị): the ticket, its channel, its history.

The office imports the ticket list exported from the feedback system (Tổng đài 1022) and
chases the units holding overdue tickets. A ticket is overdue once its due date has passed
and it is not handled. Its status comes from two sources: the export, and the unit's own
answer in chat (domain/ticket_import.py's `merge_import` decides which one wins). Figures
about many tickets are in domain/ticket_figures.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from domain.unit_matching import words

# Longest texts kept; beyond them an export cell is cut (a ticket id is refused instead,
# since a cut id could collide with another ticket's).
ID_MAX = 64
CHANNEL_MAX = 100
UNIT_TEXT_MAX = 200
STATUS_MAX = 100
SUMMARY_MAX = 1000
REASON_MAX = 500
ELLIPSIS = "…"


class TicketStatus(StrEnum):
    """Where a ticket stands; overdue is not a status but a fact about dates."""

    IN_PROGRESS = "in_progress"
    HANDLED = "handled"


# Fields whose every change is recorded in the ticket's history (who, when, old, new).
TRACKED_FIELDS = ("status", "unit_code", "due_on", "expected_on", "reason")


@dataclass(frozen=True, slots=True)
class Ticket:
    """One ticket as stored: the export's data, its unit, and the unit's last answer."""

    id: str
    received_on: date
    status: TicketStatus = TicketStatus.IN_PROGRESS
    channel: str = ""  # as the export writes it; see `channel_key`
    due_on: date | None = None
    unit_code: str | None = None  # None: not matched yet, waiting for the office to assign
    unit_text: str = ""  # the unit in charge as the export writes it
    suggestion: str | None = None  # closest unit code, while unmatched
    summary: str = ""
    source_status: str = ""  # the export's status text, as last imported
    expected_on: date | None = None  # when the unit expects to finish (its answer)
    reason: str | None = None  # why it is late (its answer)
    reported_at: datetime | None = None  # when the unit last answered about it
    reported_by: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def channel_key(self) -> str:
        """The receiving channel as one of CHANNELS, or OTHER_CHANNEL."""
        return channel_key(self.channel)

    def is_overdue(self, today: date) -> bool:
        """Not handled and its due date has passed (the due day itself is still in time)."""
        return (
            self.status is TicketStatus.IN_PROGRESS
            and self.due_on is not None
            and self.due_on < today
        )

    def answered_since(self, since: datetime | None) -> bool:
        """Whether the unit answered about the ticket since `since` (e.g. the period's
        prompt; ever, if None)."""
        if self.reported_at is None:
            return False
        return since is None or self.reported_at >= since

    def days_overdue(self, today: date) -> int:
        """Calendar days since the due date, 0 when not overdue."""
        if not self.is_overdue(today) or self.due_on is None:
            return 0
        return (today - self.due_on).days


@dataclass(frozen=True, slots=True)
class TicketRevision:
    """One change to a ticket's tracked field: who, when, old and new value (as text)."""

    ticket_id: str
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    changed_by: str
    source_message: str | None = None


# ---------------------------------------------------------------- texts from outside


def clean_text(value: str, limit: int, *, multiline: bool = False) -> str:
    """Text from a file or a chat made safe to store and show: NFC, no control or
    invisible formatting characters, whitespace collapsed, at most `limit` characters.
    """
    text = unicodedata.normalize("NFC", value)
    # isprintable() is False for exactly the characters to look at (controls, format and
    # unassigned characters, separators other than " "): most cells skip the slow loop.
    if not text.isprintable():
        kept = []
        for char in text:
            if char == "\n" and multiline:
                kept.append(char)
            elif char.isspace():
                kept.append(" ")
            elif unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
                kept.append(char)
        text = "".join(kept)
    lines = text.split("\n")
    cleaned = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return cleaned


# ---------------------------------------------------------------- channels

CHANNELS = ("hotline", "in_person", "app", "web", "mail", "zalo", "facebook")
OTHER_CHANNEL = "other"

# Phrases (folded words) that name each channel, tried in this order: "ứng dụng Zalo" is
# Zalo, "thư điện tử" is mail.
_CHANNEL_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("zalo", ("zalo",)),
    ("facebook", ("facebook", "fb", "fanpage", "messenger")),
    ("hotline", ("1022", "tong dai", "hotline", "dien thoai", "goi dien")),
    ("in_person", ("truc tiep", "tai tru so", "tai quay")),
    ("app", ("ung dung", "app", "mobile", "di dong", "smartphone")),
    ("web", ("web", "website", "cong thong tin", "cong dich vu", "trang thong tin")),
    ("mail", ("email", "e mail", "mail", "thu", "buu chinh", "cong van", "van ban")),
)


def channel_key(text: str) -> str:
    """The channel a receiving-channel text names ("Tổng đài 1022" -> "hotline")."""
    padded = f" {' '.join(words(text))} "
    for key, phrases in _CHANNEL_PHRASES:
        if any(f" {phrase} " in padded for phrase in phrases):
            return key
    return OTHER_CHANNEL


# ---------------------------------------------------------------- history


def tracked_values(ticket: Ticket) -> dict[str, str | None]:
    """The tracked fields of a ticket as the text its revisions record."""
    return {
        "status": ticket.status.value,
        "unit_code": ticket.unit_code,
        "due_on": None if ticket.due_on is None else ticket.due_on.isoformat(),
        "expected_on": None if ticket.expected_on is None else ticket.expected_on.isoformat(),
        "reason": ticket.reason,
    }


def changes(before: Ticket | None, after: Ticket) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for each tracked field that differs; from nothing for a new ticket."""
    old = tracked_values(before) if before else dict.fromkeys(TRACKED_FIELDS)
    new = tracked_values(after)
    return [(name, old[name], new[name]) for name in TRACKED_FIELDS if old[name] != new[name]]


def as_they_stood(
    tickets: Iterable[Ticket], revisions: Iterable[TicketRevision], moment: datetime
) -> list[Ticket]:
    """The tickets as they stood just before `moment`, from today's tickets and their history.

    Every change made at or after `moment` is undone, newest first, restoring the old value of
    its tracked field (status, unit, due date, expected date, reason). A ticket whose first
    import is undone this way did not exist yet and is left out. `revisions` may hold any
    others (older ones, other tickets'): they are ignored. Order is kept.

    Only the tracked fields have a history. The others are today's values: the export's
    received date, channel, unit text and summary (a change to them is the feedback system
    correcting its record, not the ticket moving on), the unit's last answer stamp
    (`reported_at`, an answer repeating the previous one leaves no revision) and the
    bookkeeping stamps.
    """
    later: dict[str, list[TicketRevision]] = {}
    for revision in revisions:
        if revision.changed_at >= moment:
            later.setdefault(revision.ticket_id, []).append(revision)
    stood = []
    for ticket in tickets:
        undone = later.get(ticket.id)
        if not undone:
            stood.append(ticket)
            continue
        values = tracked_values(ticket)
        # Undone newest first; changes of one moment (one transaction) in reverse of their
        # recorded order (the sort is stable).
        for revision in reversed(sorted(undone, key=lambda r: r.changed_at)):
            values[revision.field] = revision.old_value
        if values["status"] is None:  # its first import came later
            continue
        stood.append(_with_tracked(ticket, values))
    return stood


def _with_tracked(ticket: Ticket, values: dict[str, str | None]) -> Ticket:
    """`ticket` with its tracked fields set from their text (as `tracked_values` writes it)."""
    status, unit_code = values["status"], values["unit_code"]
    assert status is not None
    due_on, expected_on = values["due_on"], values["expected_on"]
    return replace(
        ticket,
        status=TicketStatus(status),
        unit_code=unit_code,
        # A hint kept only while unmatched (an assignment clears it; it has no history).
        suggestion=ticket.suggestion if unit_code is None else None,
        due_on=None if due_on is None else date.fromisoformat(due_on),
        expected_on=None if expected_on is None else date.fromisoformat(expected_on),
        reason=values["reason"],
    )


def same_content(a: Ticket, b: Ticket) -> bool:
    """Whether two versions of a ticket hold the same data (bookkeeping stamps aside)."""
    return replace(a, updated_at=None, updated_by=None) == replace(
        b, updated_at=None, updated_by=None
    )
