"""Answers and revisions: every change recorded with old/new value, who, when and why."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from domain.answers import Answer, Revision
from domain.obligations import Obligation
from domain.periods import Period
from storage import Database
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD, START, UNITS


def answer(
    field: str,
    value: str | None,
    unit: str = "UBND_A",
    explanation: str | None = None,
    updated_at: datetime | None = None,
) -> Answer:
    return Answer(unit, "BC01", PERIOD.key, field, value, explanation, updated_at)


async def test_first_answer_writes_a_revision_from_nothing(seeded: Database) -> None:
    async with seeded.write() as tx:
        revision = await tx.answers.set(answer("dan_so", "1924862"), "telegram:111", "tg:42")
    assert revision == Revision(
        "UBND_A", "BC01", "2024-05", "dan_so", None, "1924862", START, "telegram:111", "tg:42"
    )
    async with seeded.read() as r:
        stored = await r.answers.get("UBND_A", "BC01", PERIOD, "dan_so")
        history = await r.answers.revisions("UBND_A", "BC01", PERIOD)
    assert stored == Answer(
        "UBND_A", "BC01", "2024-05", "dan_so", "1924862", None, START, "telegram:111"
    )
    assert history == [revision]


async def test_a_change_records_old_new_who_when(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("ty_le", "20.30"), "telegram:111", "tg:1")
    changed_at = clock.advance(hours=3)
    async with seeded.write() as tx:
        revision = await tx.answers.set(
            answer("ty_le", "20.33", explanation="số liệu bổ sung"), "zalo:9", "zl:7"
        )
    assert revision is not None
    assert (revision.old_value, revision.new_value) == ("20.30", "20.33")
    assert (revision.changed_by, revision.changed_at) == ("zalo:9", changed_at)
    assert (revision.source_message, revision.explanation) == ("zl:7", "số liệu bổ sung")
    async with seeded.read() as r:
        history = await r.answers.revisions("UBND_A", "BC01", PERIOD, "ty_le")
        current = await r.answers.get("UBND_A", "BC01", PERIOD, "ty_le")
    assert [(h.old_value, h.new_value, h.changed_by) for h in history] == [
        (None, "20.30", "telegram:111"),
        ("20.30", "20.33", "zalo:9"),
    ]
    assert history[1] == revision
    # Decimal text is kept exactly, trailing zeros and all.
    assert current is not None and current.value == "20.33"
    assert (current.updated_at, current.updated_by) == (changed_at, "zalo:9")


async def test_an_unchanged_answer_writes_nothing(seeded: Database, clock: FakeClock) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("f1", "5", explanation="x"), "telegram:1")
    clock.advance(hours=1)
    async with seeded.write() as tx:
        assert await tx.answers.set(answer("f1", "5", explanation="x"), "telegram:2") is None
        # A never-answered field set to nothing is no change either.
        assert await tx.answers.set(answer("f2", None), "telegram:2") is None
    async with seeded.read() as r:
        current = await r.answers.get("UBND_A", "BC01", PERIOD, "f1")
        assert len(await r.answers.revisions("UBND_A", "BC01", PERIOD)) == 1
        assert await r.answers.get("UBND_A", "BC01", PERIOD, "f2") is None
    assert current is not None and (current.updated_by, current.updated_at) == ("telegram:1", START)


async def test_explanation_only_and_clearing_are_changes(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("f1", "5"), "u")
        explained = await tx.answers.set(answer("f1", "5", explanation="vì mưa lũ"), "u")
        cleared = await tx.answers.set(answer("f1", None), "u")
        current = await tx.answers.get("UBND_A", "BC01", PERIOD, "f1")
    assert explained is not None and (explained.old_value, explained.new_value) == ("5", "5")
    assert explained.explanation == "vì mưa lũ"
    assert cleared is not None and (cleared.old_value, cleared.new_value) == ("5", None)
    assert current is not None and current.value is None and current.explanation is None


async def test_explicit_updated_at_is_used(seeded: Database) -> None:
    at = datetime(2024, 5, 11, 15, 30, 0, 123456, tzinfo=UTC)
    async with seeded.write() as tx:
        revision = await tx.answers.set(answer("f1", "1", updated_at=at), "u")
    assert revision is not None and revision.changed_at == at


async def test_for_obligation_and_for_period(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("f1", "1"), "u")
        await tx.answers.set(answer("f2", "2"), "u")
        await tx.answers.set(answer("f1", "10", unit="UBND_B"), "u")
    async with seeded.read() as r:
        mine = await r.answers.for_obligation("UBND_A", "BC01", "2024-05")
        everyone = await r.answers.for_period(PERIOD, "BC01")
        other_form = await r.answers.for_period(PERIOD, "BC02")
    assert {k: a.value for k, a in mine.items()} == {"f1": "1", "f2": "2"}
    assert {u: {k: a.value for k, a in fields.items()} for u, fields in everyone.items()} == {
        "UBND_A": {"f1": "1", "f2": "2"},
        "UBND_B": {"f1": "10"},
    }
    assert other_form == {}


async def test_revisions_are_append_only(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("f1", "1"), "u")
    conn = sqlite3.connect(seeded.path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE revisions SET new_value = '2'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM revisions")
    finally:
        conn.close()


async def test_naive_datetimes_are_refused(seeded: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with seeded.write() as tx:
            await tx.answers.set(answer("f1", "1", updated_at=datetime(2024, 5, 1)), "u")


CONTENTS = [(v, e) for v in (None, "1", "2") for e in (None, "a", "b")]


async def test_a_revision_is_written_exactly_when_something_changes(seeded: Database) -> None:
    async with seeded.write() as tx:
        for n, (old, new) in enumerate((o, w) for o in CONTENTS for w in CONTENTS):
            field = f"f{n}"
            if old != (None, None):  # (None, None) stands for "never answered"
                await tx.answers.set(answer(field, old[0], explanation=old[1]), "u")
            revision = await tx.answers.set(answer(field, new[0], explanation=new[1]), "u")
            assert (revision is not None) == (old != new), (old, new)
            if revision is not None:
                assert revision.old_value == old[0] and revision.new_value == new[0]
            current = await tx.answers.get("UBND_A", "BC01", PERIOD, field)
            if new != (None, None) or old != (None, None):
                assert current is not None and (current.value, current.explanation) == new


async def test_an_obligations_answers_come_with_the_units_latest_nonzero_history(
    seeded: Database,
) -> None:
    def at(period: Period, field: str, value: str, unit: str = "UBND_A") -> Answer:
        return Answer(unit, "BC01", period.key, field, value)

    earlier, last, later = Period(2024, 3), Period(2024, 4), Period(2024, 6)
    async with seeded.write() as tx:
        await tx.obligations.ensure(
            [Obligation(u.code, "BC01", p) for u in UNITS for p in (earlier, last, later)]
        )
        for stored in (
            at(earlier, "f1", "5"),
            at(last, "f1", "0"),  # zero: the history looks past it
            at(last, "f2", "7.5"),
            at(later, "f1", "100"),  # after the period: not its history
            at(last, "f3", "9", unit="UBND_B"),  # another unit's
            at(PERIOD, "f1", "12"),
        ):
            await tx.answers.set(stored, "u")
    async with seeded.read() as r:
        wanted = ["f1", "f2", "f3", "f4"]  # f3 only another unit's, f4 never answered
        answers, history = await r.answers.with_history("UBND_A", "BC01", PERIOD, wanted)
        only_f2 = (await r.answers.with_history("UBND_A", "BC01", PERIOD, ["f2"]))[1]
        plain = await r.answers.for_obligation("UBND_A", "BC01", PERIOD)
        first, none_before = await r.answers.with_history("UBND_A", "BC01", earlier, wanted)
    assert answers == plain and {k: a.value for k, a in answers.items()} == {"f1": "12"}
    assert history == {"f1": "5", "f2": "7.5"} and only_f2 == {"f2": "7.5"}
    assert none_before == {} and {k: a.value for k, a in first.items()} == {"f1": "5"}
