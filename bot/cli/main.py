"""The `baocao` command line: the registry of sub-commands, its parser, and `main()`.

Each sub-command is a function registered with `@command` in the module of its group; list
that module in COMMAND_MODULES. The options the commands share (`--config`, `--today`) and
the workspace they load are in bot/cli/options.py. Every sentence printed comes from
templates/texts/.
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from bot.runtime.collector import tune_collector
from templates.catalog import text

Run = Callable[[argparse.Namespace], int]

# Modules that register more sub-commands when imported (with @command). Imported by main()
# only, so that `import bot.cli.main` stays cheap and free of the bot's heavier dependencies.
COMMAND_MODULES: list[str] = [
    "bot.cli.files",
    "bot.cli.running",
    "bot.cli.office",
    "bot.cli.report",
    "bot.cli.template",
    "bot.cli.demo",
    "bot.cli.tickets",
    "bot.cli.backup",
    "bot.cli.doctor",
    "bot.cli.jobs",
    "bot.cli.chat",
    "bot.cli.web",
]


@dataclass(frozen=True, slots=True)
class Command:
    """A sub-command: its name, the catalog text of its help, its arguments and its body."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Run


COMMANDS: dict[str, Command] = {}


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def command(
    name: str,
    *,
    help: str,
    arguments: Callable[[argparse.ArgumentParser], None] = _no_arguments,
) -> Callable[[Run], Run]:
    """Register the decorated function as `baocao NAME`; `help` names a catalog text."""

    def register(run: Run) -> Run:
        if name in COMMANDS:
            raise ValueError(f"sub-command {name!r} is registered twice")
        COMMANDS[name] = Command(name, help, arguments, run)
        return run

    return register


def listed() -> list[Command]:
    """The registered commands in the order of COMMAND_MODULES, whichever was imported first
    (a test may import one group alone); then any registered elsewhere."""
    rank = {module: place for place, module in enumerate(COMMAND_MODULES)}
    return sorted(COMMANDS.values(), key=lambda c: rank.get(c.run.__module__, len(rank)))


# ---------------------------------------------------------------------------------------------
# Parsing


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter with the "usage:" prefix from the catalog."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[Any],
        prefix: str | None = None,
    ) -> None:
        prefix = text("cli.args.usage_prefix") + " " if prefix is None else prefix
        super().add_usage(usage, actions, groups, prefix)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose headings, help option and errors speak Vietnamese."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(formatter_class=_Formatter, add_help=False, **kwargs)
        self._positionals.title = text("cli.args.positionals_title")
        self._optionals.title = text("cli.args.options_title")
        self.add_argument("-h", "--help", action="help", help=text("cli.args.help"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        # argparse's own explanation stays in English: it names the wrong option exactly.
        self.exit(2, text("cli.args.usage_error", detail=message) + "\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of `baocao` with every registered sub-command."""
    parser = _Parser(prog="baocao", description=text("cli.args.description"))
    sub = parser.add_subparsers(dest="command", title=text("cli.args.commands_title"))
    for entry in listed():
        child = sub.add_parser(
            entry.name,
            help=text(entry.help),
            description=text(entry.help),
        )
        entry.add_arguments(child)
        child.set_defaults(run=entry.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `baocao` with these arguments (sys.argv's by default); the exit code."""
    _utf8_output()
    tune_collector()
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error already printed
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        names = ", ".join(entry.name for entry in listed())
        print(text("cli.args.no_command", commands=names), file=sys.stderr)
        return 2
    run: Run = args.run
    return run(args)


def _utf8_output() -> None:
    """Vietnamese output must not crash a console or a pipe in a legacy Windows code page."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.encoding.lower() not in (
            "utf-8",
            "utf8",
        ):
            stream.reconfigure(encoding="utf-8")
