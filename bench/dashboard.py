"""Server time of the dashboard's pages for a big office: 5.000 units (the report bench's
data set: one form of 40 fields, 13 periods of history), a focal point each. Run from the
repository root:

    .venv/bin/python bench/dashboard.py [--units 5000] [--fields 40] [--periods 13] [--renders 20]

Each page of 12/2024 is rendered (its reads and its HTML, as its GET does once signed in)
`--renders` times in a fresh process: the overview, the form's figures page (totals and
warnings over every unit, the first page of rows), and the same with a figure's 12-period
trend chart. p50 and p95 of the wall time and the process's peak resident memory
(getrusage) are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from report import LAST, fill, last_periods, write_workspace  # noqa: E402

from bot.runtime.build import catalog_of, office_of  # noqa: E402
from bot.web.dashboard import Dashboard  # noqa: E402
from bot.web.figures import figures_of  # noqa: E402
from bot.web.overview import overview_page  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from storage import Database  # noqa: E402

NOW = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)  # past 12/2024's deadline: laggards are late


def add_focal_points(path: Path, units: int) -> None:
    """A focal point per unit; one in 50 unreachable."""
    stamp = "2024-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO focal_points (unit_code, channel, user_id, chat_id, display_name,"
            " registered_at, unreachable_at) VALUES (?, 'telegram', ?, ?, ?, ?, ?)",
            [
                (f"U{i:05d}", str(i), str(i), f"Cán bộ {i}", stamp, stamp if i % 50 == 3 else None)
                for i in range(units)
            ],
        )
    conn.close()


PAGES = {
    "overview": f"overview of {LAST.key}",
    "figures": f"figures page of {LAST.key} (40-field form)",
    "trend": f"figures page of {LAST.key} with a figure's trend",
}


async def _measure(
    config: Path, db_path: Path, renders: int, shown: str
) -> tuple[list[float], int]:
    workspace = load_workspace(config)
    db = await Database.open(db_path, synchronous="NORMAL")
    dashboard = Dashboard(db, catalog_of(workspace), office_of(workspace), lambda: NOW)
    form = next(iter(dashboard.catalog.forms.values()))
    chosen = form.fields[0].key if shown == "trend" else ""
    times: list[float] = []
    size = 0
    try:
        for _ in range(renders):
            started = time.perf_counter()
            if shown == "overview":
                response = await overview_page(dashboard, {"period": LAST.key}, "token")
            else:
                response = await figures_of(dashboard, form, LAST, chosen)
            times.append(time.perf_counter() - started)
            size = len(response.text or "")
    finally:
        await db.close()
    return times, size


def measure(config: Path, db_path: Path, renders: int, shown: str) -> None:
    """The renders of one page, printed as JSON (run in its own process)."""
    times, size = asyncio.run(_measure(config, db_path, renders, shown))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"times": times, "peak_mb": peak_kb / 1024, "bytes": size}))


def main() -> None:
    """Generate the data, then time each page's renders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--periods", type=int, default=13)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--measure", choices=sorted(PAGES), help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.config, args.db, args.renders, args.measure)
        return
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-dashboard-bench-") as tmp:
        folder = Path(tmp)
        config = write_workspace(folder, args.units, args.fields)
        db_path = folder / "bench.sqlite3"
        started = time.perf_counter()
        rows = fill(db_path, args.units, args.fields, last_periods(args.periods))
        add_focal_points(db_path, args.units)
        print(
            f"data: {args.units} units x {args.fields} fields x {args.periods} periods = "
            f"{rows} answers, written in {time.perf_counter() - started:.1f} s"
        )
        for shown in PAGES:
            measure_page(shown, config, db_path, args.renders)


def measure_page(shown: str, config: Path, db_path: Path, renders: int) -> None:
    """Render one page in a fresh process and print its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", shown, "--config", str(config), "--db",
         str(db_path), "--renders", str(renders)],
        capture_output=True, text=True,
    )  # fmt: skip
    if out.returncode:
        raise SystemExit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    times = sorted(result["times"])
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"{PAGES[shown]}, {len(times)} renders: p50 "
        f"{statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"peak memory {result['peak_mb']:.0f} MB (whole process), "
        f"{result['bytes'] / 1e6:.2f} MB of HTML"
    )


if __name__ == "__main__":
    main()
