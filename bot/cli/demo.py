"""`baocao demo`: a whole reporting month of the sample data set, with no token and no network."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.main import command
from bot.demo.errors import DemoError
from bot.demo.simulation import run_demo
from templates.catalog import text

DEFAULT_OUT = "baocao-demo"


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help=text("demo.arg_out"))
    parser.add_argument("--fast", action="store_true", help=text("demo.arg_fast"))
    parser.add_argument("--units", metavar="MÃ,MÃ", help=text("demo.arg_units"))


@command("demo", help="demo.help", arguments=_demo_arguments)
def demo(args: argparse.Namespace) -> int:
    """Run the simulated month into --out and print where the draft and export are."""
    only = [code.strip() for code in args.units.split(",") if code.strip()] if args.units else None

    def say(line: str) -> None:
        if not args.fast:
            print(line, flush=True)

    try:
        result = asyncio.run(run_demo(Path(args.out), say=say, only=only))
    except DemoError as error:
        print(text("demo.failed", detail=str(error)), file=sys.stderr)
        return 1
    print(result.summary())
    return 0
