"""The names office staff go by: remembered as their platform gives them, written only when
they change."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

from storage import Database
from tests.support.clock import FakeClock


def _seen_at(path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.execute("SELECT person_key, display_name, seen_at FROM office_people"))


async def test_a_name_is_written_when_new_or_changed_only(
    db: Database, db_path: Path, clock: FakeClock
) -> None:
    now = clock()
    async with db.write() as tx:
        await tx.office_people.remember("telegram:900", "Nguyễn Thị Lan", now)
    first = _seen_at(db_path)
    async with db.write() as tx:  # the same name an hour later: nothing written
        await tx.office_people.remember("telegram:900", "Nguyễn Thị Lan", now + timedelta(hours=1))
    assert _seen_at(db_path) == first
    async with db.write() as tx:
        await tx.office_people.remember("telegram:900", "Lan N.", now + timedelta(hours=2))
        await tx.office_people.remember("zalo:abc", "Phòng KHTC", now)
    async with db.read() as view:
        assert await view.office_people.names() == {
            "telegram:900": "Lan N.",
            "zalo:abc": "Phòng KHTC",
        }
    assert _seen_at(db_path)[0][2] != first[0][2]
