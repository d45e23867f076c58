"""Looking into a database file without changing it: integrity, schema, outbox, stored keys.

Used by `baocao backup` (to verify a copy), `baocao doctor` and the start-up check of a
changed config. Every function opens its own read-only connection and closes it: they work
on a file the running bot is writing to, and never write a byte themselves.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from storage import codec

# Tables whose row counts a backup summary shows (an administrator recognises them).
COUNTED_TABLES = ("units", "focal_points", "answers", "revisions", "inbox", "outbox")

_QUEUED = "sent_at IS NULL AND failed_at IS NULL AND unknown_outcome = 0"


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to `path` that never creates or changes a file."""
    # Without a WAL file the main file is complete and immutable=1 reads it without side
    # files; with one (the bot is running), mode=ro reads the committed WAL frames too.
    wal = path.with_name(path.name + "-wal")
    query = "?mode=ro" if wal.exists() else "?mode=ro&immutable=1"
    conn = sqlite3.connect(path.resolve().as_uri() + query, uri=True)
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        yield conn
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class FileHealth:
    """What an integrity check of the file found."""

    user_version: int
    application_id: int
    problems: tuple[str, ...]  # empty when the check said "ok"
    counts: dict[str, int]
    # Pages freed by deletes: SQLite reuses them for new rows but never shrinks the file.
    free_bytes: int = 0

    @property
    def ok(self) -> bool:
        """Whether the check found nothing wrong."""
        return not self.problems


def check_file(path: Path, *, full: bool = False) -> FileHealth:
    """Run PRAGMA quick_check (or integrity_check with `full`) and count the main tables.

    Raises sqlite3.DatabaseError when the file cannot be read at all.
    """
    pragma = "integrity_check" if full else "quick_check"
    with read_only(path) as conn:
        # Both checks read inside one implicit snapshot per statement; that is enough here.
        found = [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}(20)")]
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        counts = {
            name: int(conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0])
            for name in COUNTED_TABLES
            if name in tables
        }
        free_pages = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    problems = () if found == ["ok"] else tuple(found)
    return FileHealth(user_version, application_id, problems, counts, free_pages * page_size)


@dataclass(frozen=True, slots=True)
class UnreachablePerson:
    """A focal point whose chat refused the bot's messages (they blocked it)."""

    unit_code: str
    display_name: str
    channel: str
    since: datetime


@dataclass(frozen=True, slots=True)
class OutboxState:
    """How the outbox stands: what waits, since when, and who cannot be reached."""

    pending: int  # queued, due now or later (quiet hours, back-off)
    oldest_pending: datetime | None
    due: int  # of those, may go now
    due_since: datetime | None  # since when the longest-waiting of them could have gone
    unknown: int  # sends whose outcome is unknown, held back to avoid duplicates
    failed: int
    unreachable: tuple[UnreachablePerson, ...]
    # Jobs set aside after crashing too often: (id, its payload), oldest first.
    quarantined: tuple[tuple[int, dict[str, Any]], ...] = ()
    # Focal points registered (not removed), and the units they cover.
    focal_points: int = 0
    focal_units: int = 0
    inbox_waiting: int = 0  # updates stored and not handled yet


def outbox_state(path: Path, now: datetime) -> OutboxState:
    """The outbox and the unreachable focal points, from one snapshot."""
    with read_only(path) as conn:
        conn.execute("BEGIN")
        pending, oldest = conn.execute(
            f"SELECT COUNT(*), MIN(created_at) FROM outbox WHERE {_QUEUED}"
        ).fetchone()
        # A message held back on purpose (quiet hours, back-off) is due from not_before on;
        # fixed-width timestamps compare as text.
        due, due_since = conn.execute(
            "SELECT COUNT(*), MIN(MAX(created_at, COALESCE(not_before, created_at))) "
            f"FROM outbox WHERE {_QUEUED} AND (not_before IS NULL OR not_before <= ?)",
            (codec.timestamp(now),),
        ).fetchone()
        unknown = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE unknown_outcome = 1 AND sent_at IS NULL "
            "AND failed_at IS NULL"
        ).fetchone()[0]
        failed = conn.execute("SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL").fetchone()
        people = tuple(
            UnreachablePerson(row[0], row[1], row[2], codec.parse_timestamp(row[3]))
            for row in conn.execute(
                "SELECT unit_code, display_name, channel, unreachable_at FROM focal_points "
                "WHERE removed_at IS NULL AND unreachable_at IS NOT NULL "
                "ORDER BY unit_code, id"
            )
        )
        focal_points, focal_units = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT unit_code) FROM focal_points WHERE removed_at IS NULL"
        ).fetchone()
        inbox_waiting = conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL"
        ).fetchone()[0]
        quarantined = tuple(
            (int(row[0]), codec.load_json(row[1]))
            for row in conn.execute(
                "SELECT id, payload FROM outbox WHERE quarantined_at IS NOT NULL ORDER BY id"
            )
        )
        conn.execute("ROLLBACK")
    return OutboxState(
        pending=int(pending),
        oldest_pending=codec.optional_parse_timestamp(oldest),
        due=int(due),
        due_since=codec.optional_parse_timestamp(due_since),
        unknown=int(unknown),
        failed=int(failed[0]),
        unreachable=people,
        quarantined=quarantined,
        focal_points=int(focal_points),
        focal_units=int(focal_units),
        inbox_waiting=int(inbox_waiting),
    )


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A (unit, form, field) with stored answers, and how many periods have one."""

    unit_code: str
    form_code: str
    field_key: str
    answers: int


def stored_answer_keys(path: Path) -> list[StoredKey]:
    """Every unit/form/field that has at least one stored answer (a value or a revision)."""
    with read_only(path) as conn:
        rows = conn.execute(
            "SELECT unit_code, form_code, field_key, COUNT(*) FROM answers "
            "GROUP BY unit_code, form_code, field_key ORDER BY unit_code, form_code, field_key"
        ).fetchall()
    return [StoredKey(r[0], r[1], r[2], int(r[3])) for r in rows]
