"""`baocao demo`: a whole reporting month of the sample data set, with no token and no network,
then the office's dashboard on the demo's database until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.main import command
from bot.cli.options import port_number
from bot.cli.web import DEFAULT_PORT, serve_dashboard
from bot.demo.errors import DemoError
from bot.demo.simulation import OFFICE_USER, demo_end, run_demo
from bot.runtime.clock import Clock
from bot.web.dashboard import OVERVIEW
from bot.workspace.load import load_workspace
from handlers.web_link import login_link
from storage import Database
from templates.catalog import text

DEFAULT_OUT = "baocao-demo"
HOST = "127.0.0.1"  # the demo's dashboard is for the person at this machine only
ADMIN = f"telegram:{OFFICE_USER}"


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help=text("demo.arg_out"))
    parser.add_argument("--fast", action="store_true", help=text("demo.arg_fast"))
    parser.add_argument("--units", metavar="MÃ,MÃ", help=text("demo.arg_units"))
    parser.add_argument("--no-web", action="store_true", help=text("demo.arg_no_web"))
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=text("demo.arg_port")
    )


@command("demo", help="demo.help", arguments=_demo_arguments)
def demo(args: argparse.Namespace) -> int:
    """Run the simulated month into --out, print where the draft and export are, then serve
    the dashboard on its database until Ctrl-C (not with --no-web, nor --fast: CI's run must
    end by itself)."""
    only = [code.strip() for code in args.units.split(",") if code.strip()] if args.units else None

    def say(line: str) -> None:
        if not args.fast:
            print(line, flush=True)

    try:
        result = asyncio.run(run_demo(Path(args.out), say=say, only=only))
    except DemoError as error:
        print(text("demo.failed", detail=str(error)), file=sys.stderr)
        return 1
    print(result.summary(), flush=True)
    if args.no_web or args.fast:
        return 0
    return show_dashboard(result.workspace / "config.toml", args.port)


def show_dashboard(config: Path, port: int) -> int:
    """Serve the dashboard on the demo's workspace and print its address and a login link for
    the demo's office member; until Ctrl-C. A busy `port` gives way to a free one."""
    workspace = load_workspace(config)
    clock = demo_clock()

    async def ready(db: Database, real_port: int) -> None:
        url = f"http://{HOST}:{real_port}"
        async with db.write() as tx:
            link, _ = await login_link(tx, ADMIN, url, clock())
        print(text("demo.web", url=url + OVERVIEW, link=link), flush=True)

    try:
        asyncio.run(serve_dashboard(workspace, HOST, port, clock, ready, rehearsal=True))
    except OSError as error:  # not even a free port: the demo's results are there all the same
        detail = error.strerror or str(error)
        print(text("cli.web.port_busy", host=HOST, port=port, detail=detail), file=sys.stderr)
        return 1
    print(text("cli.web.stopped"), flush=True)
    return 0


def demo_clock() -> Clock:
    """The demo's time going on from where its month ended, at the pace of the real one: the
    dashboard shows period 02/2022 as of just after the demo, and links and sessions expire
    as they would."""
    started = datetime.now(UTC)
    return lambda: demo_end() + (datetime.now(UTC) - started)
