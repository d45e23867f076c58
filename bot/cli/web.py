"""`baocao web` (the office's dashboard alone, on the bot's database) and `baocao web-link`
(a one-time login link for a member of the office)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from bot.cli.main import command
from bot.cli.options import add_config, checked_workspace, port_number
from bot.report.compile import export_file_name, export_workbook
from bot.report.tickets_source import campaign_start, hotline_summary
from bot.runtime.app import App
from bot.runtime.build import catalog_of, office_of, public_origin
from bot.runtime.clock import Clock, system_clock
from bot.runtime.housekeeping import housekeeping
from bot.runtime.webhook import Mount, WebhookServer
from bot.web.dashboard import OVERVIEW, Dashboard, Exporter, Hotline
from bot.web.routes import mount
from bot.workspace.load import Workspace
from bot.workspace.report_spec import ReportSpecError, spec_for
from domain.calendar import office_zone
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_tickets import TicketSummary
from handlers.context import Catalog, Office
from handlers.web_link import admin_key, login_link
from storage import Database
from templates.catalog import text

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
HOUSEKEEPING_EVERY = timedelta(days=1)
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"
# Told the database and the port once the dashboard listens.
Ready = Callable[[Database, int], Awaitable[None]]


def bot_dashboard(app: App) -> Mount:
    """The dashboard on the running bot's HTTP server: its database, its delivery's wake."""

    def mount_on(web_app: web.Application) -> None:
        assert app.db is not None and app.delivery is not None
        parts = office_dashboard(app.db, app.workspace, app.catalog(), app.office(), app.clock)
        parts = replace(parts, wake=app.delivery.wake)
        mount(web_app, parts)

    return mount_on


def office_dashboard(
    db: Database,
    workspace: Workspace,
    catalog: Catalog,
    office: Office,
    clock: Clock,
) -> Dashboard:
    """The dashboard on the office's files: the session's length, the ticket figures'
    start, the export, the hotline figures and the report declaration drawn from its
    workspace (beside the bot, its `wake` is added; in the demo, `rehearsal`)."""
    return Dashboard(
        db,
        catalog,
        office,
        clock,
        session_valid=session_length(workspace),
        ticket_start=ticket_start(workspace),
        export=period_export(db, workspace),
        hotline=period_hotline(db, workspace),
        report=lambda: _spec(workspace),
    )


def session_length(workspace: Workspace) -> timedelta:
    """How long a login to the dashboard lasts, as config.toml's [web] says."""
    return timedelta(hours=workspace.settings.web.session_hours)


def ticket_start(workspace: Workspace) -> date | None:
    """The day the report's ticket figures count from, as the export takes it (report.toml
    unreadable: the config's alone), for the tickets page to count as the draft does."""
    return campaign_start(workspace, _spec(workspace))


def period_hotline(db: Database, workspace: Workspace) -> Hotline:
    """The tickets page's figures for a period with no imported tickets: the draft's own
    (`hotline_summary`: the units' counts forms), none when report.toml is unreadable."""

    async def hotline(period: Period, now: datetime) -> TicketSummary | None:
        return await hotline_summary(db, workspace, period, now, _spec(workspace))

    return hotline


def _spec(workspace: Workspace) -> ReportSpec | None:
    try:
        return spec_for(workspace.settings.source.parent, workspace.forms, workspace.units)
    except ReportSpecError:
        return None


def period_export(db: Database, workspace: Workspace) -> Exporter:
    """The drafts page's export: the one /xuat and `baocao export` make (export_workbook)."""

    async def export(period: Period, now: datetime) -> tuple[str, bytes]:
        content = await export_workbook(db, workspace, period, now)
        return export_file_name(workspace, period), content

    return export


# ---------------------------------------------------------------- web


def _web_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--listen", default="127.0.0.1", help=text("cli.args.web_listen"))
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=text("cli.args.web_port")
    )


@command("web", help="cli.args.web", arguments=_web_arguments)
def serve(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C, on the bot's database (the bot may run elsewhere)."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    try:
        asyncio.run(serve_dashboard(workspace, args.listen, args.port))
    except OSError as error:
        detail = error.strerror or str(error)
        print(
            text("cli.web.port_busy", host=args.listen, port=args.port, detail=detail),
            file=sys.stderr,
        )
        return 1
    print(text("cli.web.stopped"), file=sys.stderr)
    return 0


async def serve_dashboard(
    workspace: Workspace,
    host: str,
    port: int,
    clock: Clock = system_clock,
    ready: Ready | None = None,
    rehearsal: bool = False,
) -> None:
    """Serve until SIGINT/SIGTERM; `ready` is told the database and the real port once
    listening (by default: the address printed); a busy port is OSError, unless `ready` is
    given and then any free port serves (the demo, whose person did not choose the port);
    `rehearsal`: no bot runs beside it (the demo), and the overview says so after an action."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with await Database.open(workspace.settings.storage.path) as db:
        office = office_of(workspace)
        parts = office_dashboard(db, workspace, catalog_of(workspace), office, clock)
        parts = replace(parts, rehearsal=rehearsal)
        # Alone on the database (no bot beside it), expired sessions and used links would
        # pile up: the bot's own housekeeping, at start and once a day, in the background
        # as the bot runs it (a first run on a large old database takes a while).
        keep_days = workspace.settings.storage.keep_days
        daily = asyncio.create_task(_daily(lambda: housekeeping(db, keep_days, clock), stop))
        server = await _listen(host, port, lambda app: mount(app, parts), ready is not None)
        try:
            await (ready or _announce(workspace, host))(db, server.port)
            await stop.wait()
        finally:
            daily.cancel()
            await server.stop()


async def _daily(work: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """`work` now and once a day until `stop` is set; a failure is logged and the next
    day's run tries again."""
    while True:
        try:
            await work()
        except Exception:
            log.exception("housekeeping failed; trying again tomorrow")
        try:
            await asyncio.wait_for(stop.wait(), timeout=HOUSEKEEPING_EVERY.total_seconds())
            return
        except TimeoutError:
            continue


def _announce(workspace: Workspace, host: str) -> Ready:
    async def announce(db: Database, port: int) -> None:
        del db
        url = f"http://{host}:{port}{OVERVIEW}"
        config = workspace.settings.source
        # flush: a supervisor (or a test) reads the address while the server runs.
        print(text("cli.web.serving", url=url, config=config), file=sys.stderr, flush=True)

    return announce


async def _listen(host: str, port: int, mount_on: Mount, any_port: bool) -> WebhookServer:
    """The server listening on `port`, or on a free one if that is busy and `any_port`."""
    server = WebhookServer(host, port, [], mount=mount_on)
    try:
        await server.start()
    except OSError:
        await server.stop()
        if not any_port or port == 0:
            raise
        server = WebhookServer(host, 0, [], mount=mount_on)
        await server.start()
    return server


# ---------------------------------------------------------------- web-link


def _link_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("admin", metavar="ADMIN_ID", help=text("cli.args.web_link_admin"))
    parser.add_argument("--url", default="", help=text("cli.args.web_link_url"))


@command("web-link", help="cli.args.web_link", arguments=_link_arguments)
def web_link(args: argparse.Namespace) -> int:
    """Print a one-time login link for a member of the office (config.toml's admins)."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    admin = admin_key(args.admin.strip())
    if admin not in office_of(workspace).admins:
        print(text("cli.web.not_office", admin=args.admin), file=sys.stderr)
        return 2
    url = args.url or public_origin(workspace.settings) or DEFAULT_URL
    link, expires = asyncio.run(_link(workspace, admin, url))
    zone = office_zone(workspace.settings.regime)
    print(text("cli.web.link", admin=admin, link=link, expires=expires, zone=zone))
    return 0


async def _link(workspace: Workspace, admin: str, url: str) -> tuple[str, datetime]:
    async with await Database.open(workspace.settings.storage.path) as db, db.write() as tx:
        return await login_link(tx, admin, url, datetime.now(UTC))
