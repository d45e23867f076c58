"""Citizen-feedback tickets (phiếu phản ánh, kiến nghị): model, overdue rules, figures.

The office imports the ticket list exported from the feedback system (Tổng đài 1022) and
chases the units holding overdue tickets. A ticket is overdue once its due date has passed
and it is not handled. Its status comes from two sources: the export, and the unit's own
answer in chat; `merge_import` decides which one wins.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from domain.unit_matching import words
from domain.units import Unit

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


def status_from_text(text: str, handled_statuses: Iterable[str]) -> TicketStatus:
    """HANDLED when the export's status starts with one of `handled_statuses` (compared
    word by word, ignoring case and diacritics: "Đã xử lý xong" is "Đã xử lý", "Đang xử lý"
    is not); anything else, blank included, is still in progress.
    """
    said = words(text)
    for handled in handled_statuses:
        prefix = words(handled)
        if prefix and said[: len(prefix)] == prefix:
            return TicketStatus.HANDLED
    return TicketStatus.IN_PROGRESS


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


# ---------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class ImportedTicket:
    """One row of an export, read and matched to a unit (or not)."""

    line: int
    id: str
    received_on: date
    status: TicketStatus
    channel: str = ""
    due_on: date | None = None
    unit_text: str = ""
    unit_code: str | None = None
    suggestion: str | None = None
    summary: str = ""
    source_status: str = ""


def merge_import(current: Ticket | None, row: ImportedTicket) -> Ticket:
    """The ticket after importing `row` over what is stored.

    The export's dates, channel and summary replace the stored ones. Its status is taken
    only when the export's status text changed since the last import: re-importing an old
    export must not undo a unit's "Đã xử lý" given in chat. Likewise its unit replaces the
    stored one only when the export names another unit (or none was matched yet), so an
    assignment by the office survives re-imports of the same row.
    """
    if current is None:
        return Ticket(
            id=row.id,
            received_on=row.received_on,
            status=row.status,
            channel=row.channel,
            due_on=row.due_on,
            unit_code=row.unit_code,
            unit_text=row.unit_text,
            suggestion=None if row.unit_code else row.suggestion,
            summary=row.summary,
            source_status=row.source_status,
        )
    status = row.status if row.source_status != current.source_status else current.status
    unit_code, suggestion = current.unit_code, current.suggestion
    if row.unit_text != current.unit_text or current.unit_code is None:
        unit_code = row.unit_code
        suggestion = None if row.unit_code else row.suggestion
    return replace(
        current,
        received_on=row.received_on,
        status=status,
        channel=row.channel,
        due_on=row.due_on,
        unit_code=unit_code,
        unit_text=row.unit_text,
        suggestion=suggestion,
        summary=row.summary,
        source_status=row.source_status,
    )


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


class RejectReason(StrEnum):
    """Why a row of an export could not be imported."""

    MISSING_ID = "missing_id"
    ID_TOO_LONG = "id_too_long"
    DUPLICATE_ID = "duplicate_id"
    MISSING_RECEIVED = "missing_received"
    BAD_RECEIVED = "bad_received"
    BAD_DUE = "bad_due"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row left out of an import, with the reason and the offending cell."""

    line: int
    reason: RejectReason
    ticket_id: str = ""
    column: str = ""  # the header of the offending column, as the file writes it
    value: str = ""
    first_line: int | None = None  # for DUPLICATE_ID: the row that was imported


@dataclass(frozen=True, slots=True)
class UnmatchedRow:
    """A ticket of the import whose unit is unknown: kept aside until the office assigns it."""

    line: int
    ticket_id: str
    unit_text: str
    suggestion_code: str | None = None
    suggestion_name: str | None = None


@dataclass(frozen=True, slots=True)
class UnitOverdue:
    """A unit holding overdue tickets, and how many."""

    unit_code: str
    unit_name: str
    count: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did, for the office: rows read, tickets new and updated, the rows
    needing attention, and the overdue tickets of every unit afterwards.

    rows_read == new + updated + unchanged + len(rejected).
    """

    file_name: str
    as_of: date
    rows_read: int
    new: int
    updated: int
    unchanged: int
    unmatched: tuple[UnmatchedRow, ...] = ()
    rejected: tuple[RejectedRow, ...] = ()
    overdue_units: tuple[UnitOverdue, ...] = ()
    unassigned_overdue: int = 0

    @property
    def overdue(self) -> int:
        """Overdue tickets in all, assigned to a unit or not."""
        return sum(u.count for u in self.overdue_units) + self.unassigned_overdue


# ---------------------------------------------------------------- who holds overdue tickets


def _unit_order(units: Sequence[Unit]) -> tuple[dict[str, int], dict[str, str]]:
    ordered = sorted(units, key=lambda u: (u.order, u.code))
    return {u.code: i for i, u in enumerate(ordered)}, {u.code: u.name for u in units}


def overdue_by_unit(
    tickets: Iterable[Ticket], units: Sequence[Unit], today: date
) -> tuple[tuple[UnitOverdue, ...], int]:
    """Units holding overdue tickets with their counts, in the units' configured order
    (units no longer configured last, by code), and the overdue tickets with no unit.
    """
    counts: Counter[str] = Counter()
    unassigned = 0
    for ticket in tickets:
        if not ticket.is_overdue(today):
            continue
        if ticket.unit_code is None:
            unassigned += 1
        else:
            counts[ticket.unit_code] += 1
    position, names = _unit_order(units)
    codes = sorted(counts, key=lambda c: (position.get(c, len(position)), c))
    return tuple(UnitOverdue(c, names.get(c, c), counts[c]) for c in codes), unassigned


@dataclass(frozen=True, slots=True)
class PendingUnit:
    """A unit that has not answered about some of its overdue tickets."""

    unit_code: str
    unit_name: str
    overdue: int  # all its overdue tickets
    unanswered: tuple[str, ...]  # ids of those it has not answered about


def pending_units(
    tickets: Iterable[Ticket], units: Sequence[Unit], today: date, since: datetime | None = None
) -> tuple[PendingUnit, ...]:
    """Units with overdue tickets they have not answered about (at all, or since `since`,
    e.g. since they were last asked), in the units' configured order.
    """
    overdue: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        if ticket.unit_code is not None and ticket.is_overdue(today):
            overdue.setdefault(ticket.unit_code, []).append(ticket)
    position, names = _unit_order(units)
    result = []
    for code in sorted(overdue, key=lambda c: (position.get(c, len(position)), c)):
        held = sorted(overdue[code], key=lambda t: (t.due_on or today, t.id))
        unanswered = tuple(t.id for t in held if not t.answered_since(since))
        if unanswered:
            result.append(PendingUnit(code, names.get(code, code), len(held), unanswered))
    return tuple(result)


# ---------------------------------------------------------------- figures for the report


@dataclass(frozen=True, slots=True)
class TicketCounts:
    """Tickets received in a span of days, by where they stand now.

    handled + in_progress == received; overdue counts the in-progress ones past due.
    """

    received: int
    handled: int
    in_progress: int
    overdue: int
    # Every key of CHANNELS and OTHER_CHANNEL, zeros included.
    by_channel: dict[str, int] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class TicketFigures:
    """The hotline section of the report: the period's tickets, those since the campaign
    started (up to the period's last day), and the units holding overdue tickets.
    """

    period_start: date
    period_end: date
    as_of: date  # the day overdue is judged on
    campaign_start: date | None  # None: since the first ticket imported
    period: TicketCounts
    cumulative: TicketCounts
    overdue_units: tuple[UnitOverdue, ...]  # of the cumulative tickets, in units' order
    unassigned_overdue: int  # overdue tickets not assigned to a unit yet


def count_tickets(tickets: Iterable[Ticket], today: date) -> TicketCounts:
    """Counts of these tickets by status, overdue (as of `today`) and channel."""
    received = handled = overdue = 0
    channels: Counter[str] = Counter()
    for ticket in tickets:
        received += 1
        handled += ticket.status is TicketStatus.HANDLED
        overdue += ticket.is_overdue(today)
        channels[ticket.channel_key] += 1
    by_channel = {key: channels[key] for key in (*CHANNELS, OTHER_CHANNEL)}
    return TicketCounts(
        received=received,
        handled=handled,
        in_progress=received - handled,
        overdue=overdue,
        by_channel=by_channel,
    )


def compute_figures(
    tickets: Iterable[Ticket],
    units: Sequence[Unit],
    window: tuple[date, date],
    today: date,
    campaign_start: date | None = None,
) -> TicketFigures:
    """The report's figures for a period window (first and last day, inclusive)."""
    start, end = window
    cumulative = [
        t
        for t in tickets
        if t.received_on <= end and (campaign_start is None or t.received_on >= campaign_start)
    ]
    in_period = [t for t in cumulative if t.received_on >= start]
    units_overdue, unassigned = overdue_by_unit(cumulative, units, today)
    return TicketFigures(
        period_start=start,
        period_end=end,
        as_of=today,
        campaign_start=campaign_start,
        period=count_tickets(in_period, today),
        cumulative=count_tickets(cumulative, today),
        overdue_units=units_overdue,
        unassigned_overdue=unassigned,
    )
