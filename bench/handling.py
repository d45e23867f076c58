"""The bot's CPU per answer without any HTTP: storing, handling, queueing and marking sent.

bench/answers.py measures the whole bot against the fake Bot API, and on a shared machine
its CPU figure moves by a few tenths of a millisecond from run to run, as much as a change
to the handlers saves. This drives the same production pieces in one process, HTTP left
out: each round every person sends the next figure; the updates go in polled batches
through `InboxWorker.store_and_handle` (stored and handled in one transaction, as the
poller does), then the replies the transaction queued (offered to the delivery worker) are marked
sent. What is measured is everything of an answer but the HTTP client and the event-loop
work around it.

Run from the repository root, on the disk the bot runs on (synchronous=FULL):

    .venv/bin/python bench/handling.py [--users 50] [--fields 20] [--per-poll 14]
        [--runs 5] [--profile FILE]

Prints the CPU time of the process (all threads) per answer for each run, then the
minimum and the median: compare the minimum of runs taken in turn with and without a
change. `--profile FILE` cProfiles the first run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path[1:1] = [str(ROOT / "bench"), str(ROOT / "tests"), str(ROOT / "tests" / "e2e")]

from answers import FIRST_USER, RunningClock, unit_code, value_for, write_workspace  # noqa: E402
from botproc import prepare_database  # noqa: E402

from bot.channels.telegram import parse_update  # noqa: E402
from bot.runtime.build import catalog_of  # noqa: E402
from bot.runtime.inbox import InboxWorker  # noqa: E402
from bot.workspace.load import load_workspace  # noqa: E402
from handlers.context import HandlerContext, Office  # noqa: E402
from handlers.router import handle  # noqa: E402
from storage import Database, OutboxMessage, WriteTransaction  # noqa: E402
from tests.support.clock import START  # noqa: E402


def update(user_id: int, update_id: int, typed: str) -> dict[str, Any]:
    """A Telegram update of a person typing `typed` in their private chat."""
    person = {"id": user_id, "is_bot": False, "first_name": f"Người {user_id}"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": {**person, "language_code": "vi"},
        "chat": {**person, "type": "private"},
        "date": int(time.time()),
        "text": typed,
    }
    if typed.startswith("/"):
        length = len(typed.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": update_id, "message": message}


async def one_run(args: argparse.Namespace, folder: Path, profile: Path | None) -> float:
    """Register the people, let them answer every question; CPU ms per answer."""
    config = write_workspace(folder, "http://127.0.0.1:9", args.users, args.fields)
    codes = await prepare_database(config, "FULL", [unit_code(i) for i in range(args.users)], START)
    workspace = load_workspace(config)
    clock = RunningClock()
    db = await Database.open(workspace.settings.storage.path, clock=clock)
    catalog, office = catalog_of(workspace), Office(name="bench", admins=frozenset())

    def make_context(tx: WriteTransaction) -> HandlerContext:
        return HandlerContext(office=office, catalog=catalog, now=clock(), tx=tx)

    offered: list[OutboxMessage] = []  # as the delivery worker is offered them
    inbox = InboxWorker(db, {"telegram": parse_update}, handle, make_context, clock, offered.extend)
    update_ids = iter(range(1, 10**9))

    async def round_of(typed: list[str]) -> None:
        updates = [update(FIRST_USER + i, next(update_ids), t) for i, t in enumerate(typed)]
        for start in range(0, len(updates), args.per_poll):
            await inbox.store_and_handle("telegram", updates[start : start + args.per_poll])
            if inbox._wake.is_set():  # the batch's limits left events: run() would drain
                inbox._wake.clear()
                await inbox.drain()
            if offered:  # sent at once; marked in one transaction, as the delivery does
                async with db.write() as tx:
                    await tx.outbox.mark_sent_many([m.id for m in offered])
                offered.clear()

    try:
        await round_of([f"/start {code}" for code in codes])
        await round_of(["/baocao"] * args.users)
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        cpu = time.process_time()
        for question in range(args.fields):
            await round_of([str(value_for(i, question)) for i in range(args.users)])
        cpu = time.process_time() - cpu
        if profiler is not None and profile is not None:
            profiler.disable()
            profiler.dump_stats(profile)
    finally:
        await db.close()
    check(workspace.settings.storage.path, args.users * args.fields)
    return 1000 * cpu / (args.users * args.fields)


def check(db_path: Path, answers: int) -> None:
    """Every answer stored and every reply marked sent, or the figure would mean nothing."""
    conn = sqlite3.connect(db_path)
    try:
        stored = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
    finally:
        conn.close()
    if stored != answers or unsent:
        raise SystemExit(f"INVALID RUN: {stored} of {answers} answers stored, {unsent} unsent")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="focal points answering")
    parser.add_argument("--fields", type=int, default=20, help="questions in the form")
    parser.add_argument("--per-poll", type=int, default=14, help="updates per polled batch")
    parser.add_argument("--runs", type=int, default=5, help="runs, each on a new database")
    parser.add_argument("--dir", type=Path, default=Path.cwd(), help="where to put the files")
    parser.add_argument("--profile", type=Path, help="cProfile the first run into this file")
    args = parser.parse_args()
    figures = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(dir=args.dir, prefix="baocao-handling-") as tmp:
            profile = args.profile if run == 0 else None
            figures.append(asyncio.run(one_run(args, Path(tmp), profile)))
        print(f"  run {run + 1}: {figures[-1]:.3f} ms/answer", flush=True)
    print(
        f"baocao handling bench: {args.users} users x {args.fields} answers, "
        f"{args.per_poll} per poll, SQLite {sqlite3.sqlite_version}, synchronous=FULL\n"
        f"  CPU per answer (no HTTP)  min {min(figures):.3f} ms, "
        f"median {statistics.median(figures):.3f} ms"
    )


if __name__ == "__main__":
    main()
