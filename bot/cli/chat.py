"""`baocao chat --unit CODE | --office`: talk to the bot in the terminal as that person."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.channels.console import ConsoleIdentity
from bot.cli.main import command
from bot.cli.options import add_config, checked_workspace, config_path
from bot.runtime.clock import Clock, system_clock
from bot.runtime.console import ConsoleSession
from bot.workspace.load import Workspace
from storage import StorageError
from templates.catalog import text

DEFAULT_OUT = "baocao-chat"
PROMPT = "> "


def _chat_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--unit", metavar="UNIT_CODE", help=text("console.arg_unit"))
    who.add_argument("--office", action="store_true", help=text("console.arg_office"))
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help=text("console.arg_out"))
    parser.add_argument("--bot-username", metavar="NAME", help=text("console.arg_bot_username"))


@command("chat", help="console.help", arguments=_chat_arguments)
def chat(args: argparse.Namespace) -> int:
    """Talk to the bot line by line until end of input (Ctrl-D) or Ctrl-C."""
    if not args.unit and not args.office:
        print(text("console.which"), file=sys.stderr)
        return 2
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    unit_code = None
    if args.unit:
        known = [u.code for u in workspace.units]
        # Codes are matched ignoring case, as units.csv spells them (not all upper case).
        typed = args.unit.strip().casefold()
        unit_code = next((code for code in known if code.casefold() == typed), None)
        if unit_code is None:
            message = text(
                "console.unknown_unit",
                code=args.unit,
                units_file=workspace.settings.data.units,
                config=config_path(args.config),
                known=known,
            )
            print(message, file=sys.stderr)
            return 2
    identity = ConsoleIdentity(_login(), unit_code)
    try:
        return run_console(
            workspace, identity, Path(args.out), _typed_lines(), sys.stdout, args.bot_username
        )
    except StorageError as error:
        print(text("cli.run.storage_error", detail=str(error)), file=sys.stderr)
        return 1


def run_console(
    workspace: Workspace,
    identity: ConsoleIdentity,
    out_dir: Path,
    lines: Iterator[str],
    out: TextIO,
    bot_username: str | None = None,
    clock: Clock = system_clock,
) -> int:
    """Show the banner, then answer each line until the lines end or Ctrl-C; exit code 0.

    One event loop serves the whole conversation (the database stays open), while lines are
    read outside it: Ctrl-C while waiting for a line simply ends the conversation, and
    Ctrl-C while a line is handled cancels it, so its transaction is rolled back.
    """

    def say(message: str) -> None:
        print(message, file=out, flush=True)

    with asyncio.Runner() as runner:
        session = runner.run(
            ConsoleSession.open(workspace, identity, out_dir, clock, bot_username or "")
        )
        try:
            say(_banner(session) + "\n")
            for line in lines:
                for block in runner.run(session.say(line)):
                    say(block + "\n")
        except KeyboardInterrupt:
            say("")
        finally:
            runner.run(session.close())
    say(text("console.bye"))
    return 0


def _banner(session: ConsoleSession) -> str:
    identity, settings = session.identity, session.workspace.settings
    if identity.unit_code is None:
        return text(
            "console.banner_office", office=settings.office.name, database=settings.storage.path
        )
    return text(
        "console.banner_unit",
        unit=session.catalog.units[identity.unit_code].name,
        code=identity.unit_code,
        database=settings.storage.path,
        author=identity.person_key,
    )


def _typed_lines(stream: TextIO | None = None) -> Iterator[str]:
    """Lines from the terminal (with a prompt and line editing) or from a pipe, until EOF."""
    stream = stream or sys.stdin
    interactive = stream is sys.stdin and stream.isatty()
    if interactive:
        # Line editing and history for input(), where the platform has it (not Windows).
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401
    while True:
        if interactive:
            try:
                yield input(PROMPT)
            except EOFError:
                print()
                return
        else:
            line = stream.readline()
            if not line:
                return
            yield line.rstrip("\r\n")


def _login() -> str:
    """Who runs the console, for the author of what it stores."""
    try:
        return getpass.getuser() or "console"
    except (OSError, KeyError):
        return "console"
