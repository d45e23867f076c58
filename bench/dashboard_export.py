"""The drafts page's «Bảng số liệu (.xlsx)» for a big office: GET /web/export of 12/2024 on
the report bench's data set (5.000 units, one form of 40 fields, 13 periods of history), by
a signed-in member, through the dashboard's real HTTP handler. Run from the repository root:

    .venv/bin/python bench/dashboard_export.py [--units 5000] [--fields 40] [--downloads 3]

Printed: the wall time of each download (request to last byte), the workbook's size, and
the longest the event loop went without turning meanwhile (a 10 ms ticker's largest gap):
what the bot's other work waits at worst while an export is made.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "bench"))

from aiohttp import web  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402
from dashboard import NOW  # noqa: E402
from report import LAST, fill, last_periods, write_workspace  # noqa: E402

from bot.cli.web import period_export  # noqa: E402
from bot.runtime.build import catalog_of, office_of  # noqa: E402
from bot.web.dashboard import Dashboard  # noqa: E402
from bot.web.routes import mount  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from handlers.web_link import login_link  # noqa: E402
from storage import Database  # noqa: E402


async def _ticker(gaps: list[float], stop: asyncio.Event) -> None:
    """The loop's turns every 10 ms: how late each came, the largest kept."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.01)
        now = time.perf_counter()
        gaps.append(now - last - 0.01)
        last = now


async def _downloads(config: Path, db_path: Path, count: int) -> None:
    workspace = load_workspace(config)
    db = await Database.open(db_path, synchronous="NORMAL")
    office = office_of(workspace)
    export = period_export(db, workspace)
    app = web.Application()
    mount(app, Dashboard(db, catalog_of(workspace), office, lambda: NOW, export=export))
    admin = sorted(office.admins)[0]
    try:
        async with TestClient(TestServer(app)) as client:
            async with db.write() as tx:
                link, _ = await login_link(tx, admin, "http://x", NOW)
            await client.get(link.removeprefix("http://x"))
            times: list[float] = []
            for _ in range(count):
                gaps: list[float] = []
                stop = asyncio.Event()
                ticker = asyncio.create_task(_ticker(gaps, stop))
                started = time.perf_counter()
                response = await client.get(f"/web/export?period={LAST.key}")
                body = await response.read()
                times.append(time.perf_counter() - started)
                stop.set()
                await ticker
                assert response.status == 200 and body[:2] == b"PK", response.status
                print(
                    f"download: {times[-1]:.2f} s, {len(body) / 1e6:.1f} MB, "
                    f"longest loop stall {max(gaps, default=0) * 1000:.0f} ms"
                )
            print(f"export of {LAST.key}, {count} downloads: p50 {statistics.median(times):.2f} s")
    finally:
        await db.close()


def main() -> None:
    """Generate the data, then download the export."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--periods", type=int, default=13)
    parser.add_argument("--downloads", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-export-bench-") as tmp:
        folder = Path(tmp)
        config = write_workspace(folder, args.units, args.fields)
        db_path = folder / "bench.sqlite3"
        started = time.perf_counter()
        rows = fill(db_path, args.units, args.fields, last_periods(args.periods))
        print(
            f"data: {args.units} units x {args.fields} fields x {args.periods} periods = "
            f"{rows} answers, written in {time.perf_counter() - started:.1f} s"
        )
        asyncio.run(_downloads(config, db_path, args.downloads))


if __name__ == "__main__":
    main()
