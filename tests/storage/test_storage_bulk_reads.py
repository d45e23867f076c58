"""Bulk reads of a whole period (the report and the export): every answer, grouped by unit
and form, and every revision in the units' configured order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from domain.answers import Answer
from domain.obligations import Obligation
from domain.units import Unit
from storage import Database, TransactionClosedError, UnitValues, unit_values_of
from storage.repos.answers import _SELECT_FIELD_OVER
from tests.support.clock import FakeClock
from tests.support.storage_helpers import PERIOD

# Every character JSON has to escape, and some it does not: all must come back as typed.
AWKWARD = 'Bộ TT&TT "trích" \\ <b> \t tab\nline 2 \x01 ✓ 😀'


def answer(unit: str, field: str, value: str | None, form: str = "BC01", **kw: str) -> Answer:
    return Answer(unit, form, PERIOD.key, field, value, kw.get("explanation"))


async def values_of(db: Database, **kw: object) -> list[UnitValues]:
    found: list[UnitValues] = []
    async with db.read() as r:
        async for chunk in r.answers.period_values(PERIOD, **kw):  # type: ignore[arg-type]
            assert chunk, "no empty chunks"
            found.extend(chunk)
    return sorted(found)


async def test_period_values_grouped_by_unit_and_form(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.obligations.ensure([Obligation("UBND_A", "BC02", PERIOD)])
        await tx.answers.set(answer("UBND_A", "dan_so", "1924862"), "t:1")
        await tx.answers.set(answer("UBND_A", "ghi_chu", AWKWARD), "t:1")
        await tx.answers.set(answer("UBND_A", "ty_le", "20.30", explanation="đã rà soát"), "t:1")
        await tx.answers.set(answer("UBND_A", "x", "7", form="BC02"), "t:1")
        await tx.answers.set(answer("UBND_B", "dan_so", "5"), "t:2")
        await tx.answers.set(answer("UBND_B", "dan_so", None), "t:2")  # cleared
        # Another period is not read.
        await tx.obligations.ensure([Obligation("UBND_B", "BC01", PERIOD.next())])
        other = Answer("UBND_B", "BC01", PERIOD.next().key, "dan_so", "9", None)
        await tx.answers.set(other, "t:2")

    assert await values_of(seeded) == [
        (
            "BC01",
            "UBND_A",
            {"dan_so": "1924862", "ghi_chu": AWKWARD, "ty_le": "20.30"},
            {"ty_le": "đã rà soát"},
        ),
        ("BC01", "UBND_B", {"dan_so": None}, {}),
        ("BC02", "UBND_A", {"x": "7"}, {}),
    ]
    only_bc01 = await values_of(seeded, forms=["BC01"], explanations=False)
    assert [(form, unit, explained) for form, unit, _, explained in only_bc01] == [
        ("BC01", "UBND_A", {}),
        ("BC01", "UBND_B", {}),
    ]
    assert await values_of(seeded, forms=[]) == []
    # Some fields of some units only (the dashboard's warnings, for the rows a page shows).
    assert await values_of(seeded, fields=["dan_so", "ty_le", "x"], units=["UBND_A"]) == [
        ("BC01", "UBND_A", {"dan_so": "1924862", "ty_le": "20.30"}, {"ty_le": "đã rà soát"}),
        ("BC02", "UBND_A", {"x": "7"}, {}),
    ]
    assert await values_of(seeded, fields=["dan_so"], units=["UBND_B", "UBND_C"]) == [
        ("BC01", "UBND_B", {"dan_so": None}, {}),
    ]


async def many_units(
    db: Database, a: Callable[[int], Answer], b: Callable[[int], Answer]
) -> list[Unit]:
    """1,203 units (more than two chunks of a bulk read), each with answers `a` and `b`."""
    units = [Unit(f"U{i:04d}", f"Đơn vị {i}", "Xã", ("BC01",), order=i) for i in range(1203)]
    async with db.write() as tx:
        await tx.units.sync_all(units)
        await tx.obligations.ensure([Obligation(u.code, "BC01", PERIOD) for u in units])
        for i in range(len(units)):
            await tx.answers.set(a(i), "t:1")
            await tx.answers.set(b(i), "t:1")
    return units


async def test_period_values_come_in_chunks_and_miss_no_unit(db: Database) -> None:
    units = await many_units(
        db, lambda i: answer(f"U{i:04d}", "a", str(i)), lambda i: answer(f"U{i:04d}", "b", str(-i))
    )
    chunks = 0
    found: dict[str, dict[str, str | None]] = {}
    async with db.read() as r:
        async for chunk in r.answers.period_values(PERIOD):
            chunks += 1
            found.update({unit: values for _, unit, values, _ in chunk})
    assert chunks > 1
    assert found == {u.code: {"a": str(i), "b": str(-i)} for i, u in enumerate(units)}
    # Inside a write block (its statements run on the writer's plain connection) too, and
    # they see the block's own writes.
    async with db.write() as tx:
        await tx.answers.set(answer("U0000", "a", "42"), "t:1")
        inside = [row async for chunk in tx.answers.period_values(PERIOD) for row in chunk]
    assert len(inside) == len(units)
    assert inside[0][1:3] == ("U0000", {"a": "42", "b": "0"})


async def test_period_texts_hand_over_the_same_rows_in_one_hop(db: Database) -> None:
    units = await many_units(
        db,
        lambda i: answer(f"U{i:04d}", "a", str(i), explanation="vì"),
        lambda i: answer(f"U{i:04d}", "b", AWKWARD if i % 7 else None),
    )
    async with db.read() as r:
        hops = [texts async for texts in r.answers.period_texts(PERIOD)]
        parsed = [row for texts in hops for text in texts for row in unit_values_of(text)]
        # The same as the chunked read without explanations, in a single hop of texts.
        assert len(hops) == 1 and len(hops[0]) > 1
        assert sorted(parsed) == await values_of(db, explanations=False)
    assert len(parsed) == len(units)
    assert ("BC01", "U0007", {"a": "7"}, {}) in parsed  # a None never answered: no row
    assert ("BC01", "U0008", {"a": "8", "b": AWKWARD}, {}) in parsed


async def test_period_revisions_by_configured_unit_order_form_and_time(
    seeded: Database, clock: FakeClock
) -> None:
    async with seeded.write() as tx:
        await tx.obligations.ensure([Obligation("UBND_A", "BC02", PERIOD)])
        await tx.answers.set(answer("UBND_A", "x", "1", form="BC02"), "t:1", "m1")
        await tx.answers.set(answer("UBND_A", "dan_so", "10"), "t:1", "m2")
    clock.advance(hours=1)
    async with seeded.write() as tx:
        await tx.answers.set(answer("UBND_A", "dan_so", "12", explanation="sửa"), "t:1", "m3")
        await tx.answers.set(answer("UBND_B", "dan_so", "3"), "z:2")
    rows = []
    async with seeded.read() as r:
        async for chunk in r.answers.period_revisions(PERIOD):
            rows.extend(chunk)
    first = "2024-05-10T01:00:00.000000Z"
    later = "2024-05-10T02:00:00.000000Z"
    # UBND_B comes first: its configured order (storage_helpers.UNITS) is 1, UBND_A's 2.
    assert rows == [
        ("BC01", "UBND_B", "dan_so", None, "3", later, "z:2", None, None),
        ("BC01", "UBND_A", "dan_so", None, "10", first, "t:1", "m2", None),
        ("BC01", "UBND_A", "dan_so", "10", "12", later, "t:1", "m3", "sửa"),
        ("BC02", "UBND_A", "x", None, "1", first, "t:1", "m1", None),
    ]


async def test_a_bulk_read_ends_with_its_block(seeded: Database) -> None:
    async with seeded.read() as r:
        rows = r.answers.period_values(PERIOD)
    with pytest.raises(TransactionClosedError):
        await anext(rows)


async def test_a_started_read_gives_the_same_rows_and_an_abandoned_one_does_no_harm(
    seeded: Database,
) -> None:
    async with seeded.write() as tx:
        await tx.answers.set(answer("UBND_A", "dan_so", "1"), "t:1")
        await tx.answers.set(answer("UBND_B", "dan_so", "2"), "t:2")
    async with seeded.read() as r:
        started = r.answers.period_revisions(PERIOD)
        await started.start()
        await started.start()  # once is enough
        # The same connection still answers other queries while it is started.
        assert await r.answers.get("UBND_A", "BC01", PERIOD, "dan_so") is not None
        rows = [row async for chunk in started for row in chunk]
        abandoned = r.answers.period_values(PERIOD)
        await abandoned.start()
        await abandoned.aclose()
    assert [(unit, new) for _, unit, _, _, new, *_ in rows] == [("UBND_B", "2"), ("UBND_A", "1")]
    for _ in range(3):  # every reader connection is clean afterwards
        assert len(await values_of(seeded)) == 2


async def test_a_read_left_open_never_keeps_the_next_block_on_old_data(db_path: Path) -> None:
    # One reader connection: every block below uses the same one. A bulk read stopped
    # early (a consumer's bug, a cancelled job) whose Chunks is still referenced kept its
    # statement, and with it the snapshot, after the block's ROLLBACK.
    db = await Database.open(db_path, readers=1)
    try:
        await many_units(
            db, lambda i: answer(f"U{i:04d}", "a", "1"), lambda i: answer(f"U{i:04d}", "b", "1")
        )
        kept = []
        with pytest.raises(RuntimeError):
            async with db.read() as r:
                for read in (r.answers.period_values(PERIOD), r.answers.period_texts(PERIOD)):
                    kept.append(read)
                    await read.start()
                    await anext(read)
                raise RuntimeError("a consumer's bug, its reads still referenced")
        async with db.write() as tx:
            await tx.answers.set(answer("U0000", "a", "2"), "t:1")
        async with db.read() as r:
            fresh = await r.answers.get("U0000", "BC01", PERIOD, "a")
        assert fresh is not None and fresh.value == "2"
        assert len(kept) == 2
    finally:
        await db.close()


async def test_period_counts_of_values_and_explanations(seeded: Database) -> None:
    async with seeded.write() as tx:
        await tx.obligations.ensure([Obligation("UBND_A", "BC02", PERIOD)])
        await tx.answers.set(answer("UBND_A", "dan_so", "1924862"), "t:1")
        await tx.answers.set(answer("UBND_A", "ty_le", "20.30", explanation="đã rà soát"), "t:1")
        await tx.answers.set(answer("UBND_A", "x", "7", form="BC02"), "t:1")
        await tx.answers.set(answer("UBND_B", "dan_so", "5"), "t:2")
        await tx.answers.set(answer("UBND_B", "dan_so", None), "t:2")  # cleared: no value
        await tx.obligations.ensure([Obligation("UBND_B", "BC01", PERIOD.next())])
        await tx.answers.set(Answer("UBND_B", "BC01", PERIOD.next().key, "x", "9", None), "t:2")
    async with seeded.read() as r:
        assert await r.answers.period_counts(PERIOD) == {
            ("UBND_A", "BC01"): (2, 1),
            ("UBND_A", "BC02"): (1, 0),
            ("UBND_B", "BC01"): (0, 0),
        }


async def test_field_over_reads_one_field_of_the_periods_asked(seeded: Database) -> None:
    """A trend's read: that field of that form, every unit, the span's periods; no cleared
    answer, no other field, form or period outside the span."""
    before, after = PERIOD.previous(), PERIOD.next()
    async with seeded.write() as tx:
        for period in (before.previous(), before, after):
            await tx.obligations.ensure([Obligation("UBND_A", "BC01", period)])
        await tx.obligations.ensure([Obligation("UBND_A", "BC02", PERIOD)])
        for period, value in ((before.previous(), "1"), (before, "2"), (after, "4")):
            await tx.answers.set(Answer("UBND_A", "BC01", period.key, "dan_so", value), "t:1")
        await tx.answers.set(answer("UBND_A", "dan_so", "3"), "t:1")
        await tx.answers.set(answer("UBND_A", "ho", "30"), "t:1")
        await tx.answers.set(answer("UBND_A", "dan_so", "8", form="BC02"), "t:1")
        await tx.answers.set(answer("UBND_B", "dan_so", "5"), "t:2")
        await tx.answers.set(answer("UBND_B", "dan_so", None), "t:2")  # cleared
    found = []
    async with seeded.read() as r:
        async for chunk in r.answers.field_over("BC01", "dan_so", [after, before, PERIOD]):
            found.extend(chunk)
    assert sorted(found) == [
        (before.key, "UBND_A", "2"),
        (PERIOD.key, "UBND_A", "3"),
        (after.key, "UBND_A", "4"),
    ]


async def test_a_fields_values_over_periods_are_read_from_the_index_alone(
    db: Database, db_path: Path
) -> None:
    """The trend's read finds the value in answers_by_field: a migrated database plans it
    on the covering index, not a table row per answer."""
    del db  # migrated
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {_SELECT_FIELD_OVER}", ("f", "k", "a", "b"))
        plan = " ".join(str(row[3]) for row in rows)
    assert "USING COVERING INDEX answers_by_field" in plan
