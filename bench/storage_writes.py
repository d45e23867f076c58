"""Acknowledged answers per second: one write transaction per answer.

Each transaction writes what the bot writes for one answer in chat: the answer with its
revision, the reply in the outbox and the conversation state. Run from the repository root:

    .venv/bin/python bench/storage_writes.py [--count 2000] [--dir DIR]

Use a directory on the disk the bot will run on: on tmpfs fsync costs nothing and FULL looks
as fast as NORMAL.
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
from storage import Database

UNITS = 50
FIELDS = 40


async def run(path: Path, synchronous: str, count: int) -> float:
    """Write `count` answer transactions; return transactions per second."""
    db = await Database.open(path, synchronous=synchronous)
    try:
        period = Period(2024, 5)
        units = [Unit(f"U{i:03d}", f"Đơn vị {i}", "g", ("BC01",)) for i in range(UNITS)]
        async with db.write() as tx:
            await tx.units.sync_all(units)
            await tx.obligations.ensure([Obligation(u.code, "BC01", period) for u in units])
        started = time.perf_counter()
        for i in range(count):
            unit = units[i % UNITS].code
            field = f"f{(i // UNITS) % FIELDS:02d}"
            answer = Answer(unit, "BC01", period.key, field, str(1000 + i))
            async with db.write() as tx:
                await tx.answers.set(answer, f"telegram:{i % UNITS}", f"telegram:{i}")
                await tx.outbox.enqueue(
                    "telegram", str(i % UNITS), {"text": f"Đã ghi câu {field}: {1000 + i}"}
                )
                await tx.conversations.put(
                    "telegram", str(i % UNITS), {"unit": unit, "form": "BC01", "field": field}
                )
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    return count / elapsed


async def main() -> None:
    """Measure with synchronous FULL and NORMAL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="transactions per run")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where to put the file")
    args = parser.parse_args()
    for synchronous in ("FULL", "NORMAL"):
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-bench-") as tmp:
            rate = await run(Path(tmp) / "bench.sqlite3", synchronous, args.count)
        print(f"synchronous={synchronous:<6}  {rate:8.0f} transactions/s  ({args.count} answers)")


if __name__ == "__main__":
    asyncio.run(main())
