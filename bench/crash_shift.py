"""Answers on their question across a SIGKILL: 50 hurried people x 10 questions, several runs.

Each run: 50 focal points answer a form of 10 whole-number questions and answer EVERY
question message they receive (a duplicate too); the bot (`baocao run`, a real process) is
killed with SIGKILL right after the 250th acknowledgement reached the fake Bot API and
restarted 1 s later; everyone finishes and submits. The database is then compared with
what each person meant (tests/e2e/hurried.py). Per run it prints: acknowledged answers,
lost ones (acknowledged, not stored), misplaced values (stored under another question),
reports submitted with a shifted value, question messages seen twice, and how often the
bot asked which question a repeated value was for.

    .venv/bin/python bench/crash_shift.py [--runs 5] [--people 50] [--seed N] [--think 0.05,0.3]

A longer think time (--think 0.5,2.5) leaves people reading their question when the bot
comes back: it is sent again, and they answer both copies.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.hurried import Outcome, crash_run  # noqa: E402


async def _runs(runs: int, people: int, seed: int, think: tuple[float, float]) -> list[Outcome]:
    rng = random.Random(seed)
    outcomes = []
    for number in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix="baocao-crash-shift-") as folder:
            outcome = await crash_run(
                Path(folder), rng.randrange(1 << 30), people=people, think=think
            )
        print(outcome.line(number), flush=True)
        outcomes.append(outcome)
    return outcomes


def main() -> None:
    """Run the kills and print the figures of each, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument(
        "--think", default="0.05,0.3", help="seconds to read and answer, low,high (0.05,0.3)"
    )
    args = parser.parse_args()
    low, high = (float(x) for x in args.think.split(","))
    print(
        f"seed {args.seed}: {args.runs} runs, {args.people} people x 10 questions, "
        f"think {low}-{high} s",
        flush=True,
    )
    outcomes = asyncio.run(_runs(args.runs, args.people, args.seed, (low, high)))
    total = {
        name: sum(getattr(o, name) for o in outcomes)
        for name in (
            "superseded",
            "acknowledged",
            "lost",
            "misplaced",
            "shifted_reports",
            "duplicates",
            "asked_which",
        )
    }
    print("total: " + " ".join(f"{k}={v}" for k, v in total.items()))


if __name__ == "__main__":
    main()
