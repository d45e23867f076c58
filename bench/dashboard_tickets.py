"""Server time of the dashboard's tickets page for a big office: 5.000 units and 100.000
imported tickets (a third overdue, 1 in 100 given to no unit yet, with a suggestion). Run
from the repository root:

    .venv/bin/python bench/dashboard_tickets.py [--units 5000] [--tickets 100000] [--renders 10]

The page of 12/2024 is rendered (its reads, its counts and its HTML, as its GET does once
signed in) `--renders` times in one process; p50 and p95 of the wall time, the page's size
and the process's peak resident memory (getrusage) are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from report import LAST, fill, write_workspace  # noqa: E402

from bot.runtime.build import catalog_of, office_of  # noqa: E402
from bot.web.dashboard import Dashboard  # noqa: E402
from bot.web.tickets_page import tickets_response  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from domain.ticket_import import ImportedTicket  # noqa: E402
from domain.tickets import TicketStatus  # noqa: E402
from storage import Database  # noqa: E402

NOW = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)  # 12/2024 has closed: tickets as they stood
# Imported before the period closed (an import after it would not count in its figures).
IMPORTED = datetime(2024, 12, 20, 3, 0, tzinfo=UTC)
BATCH = 5000


def _ticket(n: int, units: int) -> ImportedTicket:
    """Ticket n: received over 2024, due 10 days later; every third one still open past due."""
    received = date(2024, 1, 1) + timedelta(days=n % 360)
    unmatched = n % 100 == 7
    handled = n % 3 != 0
    code = f"U{n % units:05d}"
    return ImportedTicket(
        line=n + 2,
        id=f"1022-{n:07d}",
        received_on=received,
        status=TicketStatus.HANDLED if handled else TicketStatus.IN_PROGRESS,
        due_on=received + timedelta(days=10),
        unit_text=f"Đơn vị {n % units}",
        unit_code=None if unmatched else code,
        suggestion=code if unmatched else None,
        summary=f"Phản ánh số {n} về vệ sinh môi trường ở khu dân cư",
    )


async def _save(db_path: Path, tickets: int, units: int) -> None:
    async with await Database.open(db_path, synchronous="OFF") as db:
        for start in range(0, tickets, BATCH):
            rows = [_ticket(n, units) for n in range(start, min(start + BATCH, tickets))]
            async with db.write() as tx:
                await tx.tickets.save_imported(rows, "bench", at=IMPORTED)


async def _measure(config: Path, db_path: Path, renders: int) -> tuple[list[float], int]:
    workspace = load_workspace(config)
    async with await Database.open(db_path) as db:
        dashboard = Dashboard(db, catalog_of(workspace), office_of(workspace), lambda: NOW)
        times, size = [], 0
        for _ in range(renders):
            started = time.perf_counter()
            response = await tickets_response(dashboard, LAST, "token")
            times.append(time.perf_counter() - started)
            size = len(response.text or "")
    return times, size


def main() -> None:
    """Generate the data, then time the page's renders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-tickets-bench-") as tmp:
        folder = Path(tmp)
        config = write_workspace(folder, args.units, 1)
        db_path = folder / "bench.sqlite3"
        started = time.perf_counter()
        fill(db_path, args.units, 1, [LAST])
        asyncio.run(_save(db_path, args.tickets, args.units))
        print(
            f"data: {args.units} units, {args.tickets} tickets,"
            f" written in {time.perf_counter() - started:.1f} s"
        )
        times, size = asyncio.run(_measure(config, db_path, args.renders))
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"tickets page of {LAST.key}: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms"
        f" ({len(ms)} renders), {size / 1024:.0f} KB of HTML, peak {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
