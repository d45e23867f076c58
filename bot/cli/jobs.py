"""`baocao jobs list|retry ID|drop ID`: jobs set aside after crashing too often.

A job (a ticket import, the draft, the export) cut short more than [delivery] job_attempts
times is quarantined (bot/runtime/delivery.py); the office was told. `retry` queues it again,
its runs counted from zero (the running bot takes it within a second); `drop` gives it up
for good. Exit codes: 0 done; 1 nothing done (config problem, no such quarantined job);
2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.cli.main import command
from bot.cli.options import add_config, checked_settings, on_database
from bot.runtime.db_errors import explain
from bot.workspace.settings import Settings
from domain.calendar import office_zone
from storage import Database, OutboxMessage, StorageError
from templates.catalog import text

Action = Callable[[argparse.Namespace], int]


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", title=text("cli.jobs.actions_title"))
    for name, run in (("list", _list), ("retry", _retry), ("drop", _drop)):
        child = actions.add_parser(
            name, help=text(f"cli.jobs.{name}"), description=text(f"cli.jobs.{name}")
        )
        child.set_defaults(jobs_action=run)
        add_config(child)
        if name != "list":
            child.add_argument("job", type=int, metavar="ID", help=text("cli.jobs.arg_id"))


@command("jobs", help="cli.jobs.help", arguments=_arguments)
def jobs(args: argparse.Namespace) -> int:
    """Run the chosen `baocao jobs` action."""
    action: Action | None = getattr(args, "jobs_action", None)
    if action is None:
        print(text("cli.jobs.no_action"), file=sys.stderr)
        return 2
    return action(args)


def _run(settings: Settings, work: Callable[[Database], Awaitable[Any]]) -> Any | None:
    """`work` on the database; None after printing why it failed."""
    try:
        return on_database(settings, work)
    except StorageError as error:
        print(explain(error, settings.storage.path), file=sys.stderr)
        return None


def _list(args: argparse.Namespace) -> int:
    """Print the quarantined jobs."""

    async def work(db: Database) -> list[OutboxMessage]:
        async with db.read() as r:
            return await r.outbox.quarantined()

    settings = checked_settings(args)
    found = None if settings is None else _run(settings, work)
    if settings is None or found is None:
        return 1
    what = {job.id: text("cli.jobs.what", job=job.payload) for job in found}
    print(text("cli.jobs.listed", jobs=found, what=what, zone=office_zone(settings.regime)))
    return 0


def _retry(args: argparse.Namespace) -> int:
    """Queue a quarantined job again."""
    return _change(args, "retried")


def _drop(args: argparse.Namespace) -> int:
    """Give a quarantined job up for good."""
    return _change(args, "dropped")


def _change(args: argparse.Namespace, outcome: str) -> int:
    async def work(db: Database) -> bool:
        async with db.write() as tx:
            if outcome == "retried":
                return await tx.outbox.release(args.job)
            return await tx.outbox.drop(args.job)

    settings = checked_settings(args)
    changed = None if settings is None else _run(settings, work)
    if changed is None:
        return 1
    if not changed:
        print(text("cli.jobs.not_quarantined", id=args.job), file=sys.stderr)
        return 1
    print(text(f"cli.jobs.{outcome}", id=args.job))
    return 0
