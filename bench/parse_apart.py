"""What reading a 100,000-row ticket export costs the bot's event loop, in a worker thread
(as before) and in a child process (bot/tickets/apart.py). Run from the repository root:

    .venv/bin/python bench/parse_apart.py [--rows 100000]

A ticker on the loop sleeps 5 ms then hops to a thread and back, as each database call
does; printed: how late each tick comes back (p50, p99, max) while idle, while a thread
parses, and while a child process parses. A reply makes dozens of such hops.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ticket_files import genuine_csv  # noqa: E402
from bot.tickets.apart import read_apart  # noqa: E402
from bot.tickets.reading import read_ticket_file  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from tests.support.offices import init_office  # noqa: E402

_TICK = 0.005


async def _lateness(work: Awaitable[object]) -> str:
    """Run `work` beside the ticker; how late the ticks were."""
    late: list[float] = []
    running = True

    async def tick() -> None:
        while running:
            start = time.perf_counter()
            await asyncio.sleep(_TICK)
            await asyncio.to_thread(int)
            late.append(time.perf_counter() - start - _TICK)

    ticker = asyncio.create_task(tick())
    start = time.perf_counter()
    await work
    took = time.perf_counter() - start
    running = False
    await ticker
    late.sort()
    return (
        f"{took:5.1f} s; ticks late p50 {late[len(late) // 2] * 1000:5.1f} ms, "
        f"p99 {late[int(len(late) * 0.99)] * 1000:6.1f} ms, max {late[-1] * 1000:4.0f} ms "
        f"(n={len(late)})"
    )


async def run(rows: int, folder: Path) -> None:
    """Print the three measurements."""
    with contextlib.redirect_stdout(io.StringIO()):
        workspace = load_workspace(init_office(folder / "office"))
    genuine_csv(folder / "phieu.csv", rows)
    data = (folder / "phieu.csv").read_bytes()
    settings, units = workspace.settings.tickets, list(workspace.units)
    print("idle         ", await _lateness(asyncio.sleep(3)))
    thread = asyncio.to_thread(read_ticket_file, data, "phieu.csv", settings, units)
    print("thread parse ", await _lateness(thread))
    print("child process", await _lateness(read_apart(data, "phieu.csv", settings, units)))


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args.rows, Path(folder)))


if __name__ == "__main__":
    main()
