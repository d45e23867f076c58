"""`baocao tickets import|assign|list|figures`: citizen-feedback tickets from the command line.

Exit codes: 0 done; 1 nothing done (config problems, unreadable file, unknown ticket or
unit); 2 usage error.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.cli.main import command
from bot.cli.options import (
    add_config,
    add_workspace,
    checked_workspace,
    complain,
    office_now,
    on_database,
    zone,
)
from bot.report.tickets_source import campaign_start, period_figures, period_tickets
from bot.tickets.reading import read_ticket_file
from bot.tickets.saving import clear_leftovers, save_in_batches
from bot.tickets.sheets import TicketFileError
from bot.workspace.report_spec import ReportSpecError, spec_for
from domain.calendar import current_period
from domain.periods import Period, parse_period
from domain.tickets import CHANNELS, OTHER_CHANNEL, Ticket
from handlers.ticket_assignment import TicketAssignment, assign_ticket
from storage import Database, StorageError
from storage.repos.tickets import AssignOutcome
from templates.catalog import text

Action = Callable[[argparse.Namespace], int]


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", title=text("tickets.args.actions_title"))

    def add(name: str, run: Action) -> argparse.ArgumentParser:
        child = actions.add_parser(
            name, help=text(f"tickets.args.{name}"), description=text(f"tickets.args.{name}")
        )
        child.set_defaults(tickets_action=run)
        return child

    importing = add("import", _import)
    importing.add_argument("file", metavar="FILE", help=text("tickets.args.import_file"))
    add_workspace(importing)
    importing.add_argument("--json", action="store_true", help=text("cli.args.json"))

    assigning = add("assign", _assign)
    assigning.add_argument("ticket", metavar="TICKET_ID", help=text("tickets.args.assign_ticket"))
    assigning.add_argument("unit", metavar="UNIT_CODE", help=text("tickets.args.assign_unit"))
    add_config(assigning)

    add_workspace(add("list", _list))

    figures = add("figures", _figures)
    add_workspace(figures)
    figures.add_argument("--period", metavar="YYYY-MM", help=text("tickets.args.period"))
    figures.add_argument("--json", action="store_true", help=text("cli.args.json"))


@command("tickets", help="tickets.args.tickets", arguments=_arguments)
def tickets(args: argparse.Namespace) -> int:
    """Run the chosen `baocao tickets` action."""
    action: Action | None = getattr(args, "tickets_action", None)
    if action is None:
        complain(text("tickets.args.no_action", actions="import, assign, list, figures"))
        return 2
    return action(args)


# ---------------------------------------------------------------- shared


def _who() -> str:
    """Who made a change from the command line, for the tickets' history."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment or the password database
        return "cli"


def _json(value: Any) -> str:
    return json.dumps(dataclasses.asdict(value), ensure_ascii=False, indent=2, default=str)


# ---------------------------------------------------------------- import


def _import(args: argparse.Namespace) -> int:
    """Import an export file and print what it did."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        complain(text("tickets.cli.file_unreadable", path=path, detail=error.strerror or error))
        return 1
    today = office_now(workspace, args.today).date()
    units = list(workspace.units)
    try:
        # Read before the write transaction: a running bot's writes would wait on the parse.
        parsed = read_ticket_file(data, path.name, workspace.settings.tickets, units)
    except TicketFileError as error:
        complain(error.message())
        return 1

    async def work(db: Database) -> Any:
        async with db.write() as tx:
            await tx.units.sync_all(units)
        await clear_leftovers(db)
        # In batches: a running bot's replies are written between them (bot/tickets/saving.py).
        return await save_in_batches(db, parsed, units, today, _who())

    try:
        summary = on_database(workspace.settings, work)
    except StorageError as error:
        complain(text("cli.run.storage_error", detail=str(error)))
        return 1
    print(_json(summary) if args.json else text("tickets.import_summary", s=summary))
    return 0


# ---------------------------------------------------------------- assign


def _assign(args: argparse.Namespace) -> int:
    """Give a ticket to a unit, named by its code (or a name the units file knows)."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1

    async def work(db: Database) -> TicketAssignment:
        async with db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            return await assign_ticket(tx, workspace.units, args.ticket, args.unit, _who())

    try:
        done: TicketAssignment = on_database(workspace.settings, work)
    except StorageError as error:
        complain(text("cli.run.storage_error", detail=str(error)))
        return 1
    if done.outcome is AssignOutcome.NO_TICKET:
        complain(text("tickets.cli.no_ticket", ticket=args.ticket))
        return 1
    if done.outcome is AssignOutcome.NO_UNIT or done.unit is None:
        complain(text("tickets.cli.no_unit", unit=args.unit, suggestion=done.suggestion))
        return 1
    key = "assigned" if done.outcome is AssignOutcome.ASSIGNED else "unchanged"
    print(text(f"tickets.cli.{key}", ticket=args.ticket, unit=done.unit.name, code=done.unit.code))
    return 0


# ---------------------------------------------------------------- list


def _list(args: argparse.Namespace) -> int:
    """Print the unassigned tickets and every unit's overdue tickets."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    today = office_now(workspace, args.today).date()

    async def work(db: Database) -> tuple[list[Ticket], list[Ticket]]:
        async with db.read() as view:
            return await view.tickets.unmatched(), await view.tickets.overdue(today)

    try:
        unmatched, overdue = on_database(workspace.settings, work)
    except StorageError as error:
        complain(text("cli.run.storage_error", detail=str(error)))
        return 1
    names = {u.code: u.name for u in workspace.units}
    order = {u.code: (u.order, u.code) for u in workspace.units}
    held: dict[str, list[Ticket]] = {}
    for ticket in overdue:
        held.setdefault(ticket.unit_code or "", []).append(ticket)
    by_unit = [
        {"name": names.get(code, code) if code else text("tickets.cli.no_unit_yet"), "tickets": t}
        for code, t in sorted(held.items(), key=lambda i: (i[0] == "", order.get(i[0], (0, i[0]))))
    ]
    print(
        text(
            "tickets.cli.list",
            unmatched=unmatched,
            overdue=overdue,
            by_unit=by_unit,
            names=names,
            today=today,
            zone=zone(workspace),
        )
    )
    return 0


# ---------------------------------------------------------------- figures


def _figures(args: argparse.Namespace) -> int:
    """Print a period's ticket figures as the report uses them."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    regime = workspace.settings.regime
    now = office_now(workspace, args.today)
    try:
        period: Period = parse_period(args.period) if args.period else current_period(now, regime)
    except ValueError:
        complain(text("tickets.cli.bad_period", typed=args.period))
        return 2

    try:  # report.toml's `since` counts as in the report
        spec = spec_for(workspace.settings.source.parent, workspace.forms, workspace.units)
    except ReportSpecError as error:
        complain(text("report.cli.failed", detail=str(error)))
        return 1
    start = campaign_start(workspace, spec)

    async def work(db: Database) -> Any:
        # The report's path: an old period's tickets as they stood then.
        async with db.read() as view:
            counted = await period_tickets(view, workspace, period, now)
        return period_figures(counted, workspace, period, start)

    try:
        figures = on_database(workspace.settings, work)
    except StorageError as error:
        complain(text("cli.run.storage_error", detail=str(error)))
        return 1
    if args.json:
        print(_json(figures))
        return 0
    channels = {key: text(f"tickets.channel.{key}") for key in (*CHANNELS, OTHER_CHANNEL)}
    print(text("tickets.cli.figures", f=figures, period=period.label, channels=channels))
    return 0
