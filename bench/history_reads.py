"""The reads of one answer's plausibility check: a unit's answers and its history.

The check compares a figure with the unit's latest non-zero value of the same field. The
bot reads that history with the obligation's answers, in one query for every numeric field
of the form (`answers.with_history`); before, it read the answers, then one query per
figure checked. This prints both, per answer and per pasted form of 20 figures, on a
database of 50 units with `--periods` months of history (20 fields each).

Run from the repository root:

    .venv/bin/python bench/history_reads.py [--periods 36] [--count 2000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import Period
from domain.units import Unit
from storage import Database, ReadView

UNITS = 50
FIELDS = [f"f{n:02d}" for n in range(20)]
FORM = "bc"
NOW = Period(2025, 6)
# The query the check ran for each figure before the history was read with the answers.
LATEST_NONZERO = """
SELECT value FROM answers WHERE form_code = ? AND unit_code = ? AND field_key = ?
    AND period_key < ? AND value IS NOT NULL AND CAST(value AS REAL) != 0
ORDER BY period_key DESC LIMIT 1
"""


async def fill(db: Database, periods: int) -> list[str]:
    """50 units, `periods` months of 20 answers before NOW and 10 answers in NOW."""
    units = [Unit(f"U{i:02d}", f"Đơn vị {i}", "Thử", (FORM,), order=i) for i in range(UNITS)]
    months = [NOW.previous()]
    while len(months) < periods:
        months.append(months[-1].previous())
    months = months[:periods]
    async with db.write() as tx:
        await tx.units.sync_all(units)
        owed = [Obligation(u.code, FORM, p) for u in units for p in [*months, NOW]]
        await tx.obligations.ensure(owed)
        for unit in units:
            for month in months:
                for n, key in enumerate(FIELDS):
                    await tx.answers.set(Answer(unit.code, FORM, month.key, key, str(n + 5)), "x")
            for key in FIELDS[:10]:
                await tx.answers.set(Answer(unit.code, FORM, NOW.key, key, "7"), "x")
    return [u.code for u in units]


async def before(view: ReadView, unit: str, checked: list[str]) -> None:
    """The answers, then the latest non-zero value of each figure checked."""
    await view.answers.for_obligation(unit, FORM, NOW)
    for key in checked:
        await view.answers._s.row(LATEST_NONZERO, (FORM, unit, key, NOW.key))


async def now(view: ReadView, unit: str, checked: list[str]) -> None:
    """The answers and the history of every numeric field, in one query."""
    await view.answers.with_history(unit, FORM, NOW, FIELDS)


async def measure(args: argparse.Namespace, folder: Path) -> None:
    db = await Database.open(folder / "history.sqlite3", synchronous="OFF")
    try:
        units = await fill(db, args.periods)
        print(f"baocao history reads: {UNITS} units, {args.periods} months of history")
        async with db.read() as view:
            for label, checked in (("one answer", FIELDS[:1]), ("a pasted form", FIELDS)):
                for name, read in (("before", before), ("now", now)) * 2:
                    wall, cpu = time.perf_counter(), time.process_time()
                    for i in range(args.count):
                        await read(view, units[i % UNITS], checked)
                    wall = (time.perf_counter() - wall) / args.count * 1e6
                    cpu = (time.process_time() - cpu) / args.count * 1e6
                    print(f"  {label:14s} {name:7s} {wall:7.0f} µs wall, {cpu:7.0f} µs CPU")
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--periods", type=int, default=36, help="months of history")
    parser.add_argument("--count", type=int, default=2000, help="reads per figure")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        asyncio.run(measure(args, Path(folder)))


if __name__ == "__main__":
    main()
