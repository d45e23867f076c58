"""The `baocao` command line for office administrators: `baocao init`, `baocao check`, ...

Each sub-command is a function registered with `@command`; to add one elsewhere, decorate
a function in its own module and list that module in COMMAND_MODULES. Every sentence
printed comes from templates/texts/cli.toml.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from bot.workspace.config import CONFIG_ENV, CONFIG_FILE_NAME
from bot.workspace.load import Workspace, load_workspace
from bot.workspace.problems import ConfigError
from bot.workspace.units_file import parse_date
from domain.calendar import current_period, deadline_at, open_at, period_window
from domain.units import units_in_force
from templates.catalog import text

Run = Callable[[argparse.Namespace], int]

# Modules that register more sub-commands when imported (with @command). Imported by main()
# only, so that `import bot.cli.main` stays cheap and free of the bot's heavier dependencies.
COMMAND_MODULES: list[str] = [
    "bot.cli.running",
    "bot.cli.report",
    "bot.cli.demo",
    "bot.cli.tickets",
    "bot.cli.backup",
    "bot.cli.doctor",
    "bot.cli.chat",
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
    for entry in COMMANDS.values():
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
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, or a usage error already printed
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        _err(text("cli.args.no_command", commands=", ".join(COMMANDS)))
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


def _out(message: str) -> None:
    print(message, file=sys.stdout)


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def _shell_word(value: str | Path) -> str:
    """A path as typed into a shell (quoted when it has spaces)."""
    word = str(value)
    return f'"{word}"' if any(c.isspace() for c in word) else word


# ---------------------------------------------------------------------------------------------
# baocao init

STARTER_PACKAGE = "bot.workspace"
STARTER_FOLDER = "starter"


def starter_files() -> Iterator[tuple[Path, Traversable]]:
    """The files `baocao init` writes: path relative to the target folder, and content."""

    def walk(folder: Traversable, relative: Path) -> Iterator[tuple[Path, Traversable]]:
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.name.startswith(("_", ".")):  # __pycache__, __init__.py, editor files
                continue
            if item.is_dir():
                yield from walk(item, relative / item.name)
            else:
                yield relative / item.name, item

    yield from walk(resources.files(STARTER_PACKAGE).joinpath(STARTER_FOLDER), Path())


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", nargs="?", default=".", help=text("cli.args.init_dir"))
    parser.add_argument("--force", action="store_true", help=text("cli.args.init_force"))


@command("init", help="cli.args.init", arguments=_init_arguments)
def init(args: argparse.Namespace) -> int:
    """Write a starter config.toml, units.csv and forms/ into a folder."""
    folder = Path(args.dir)
    files = [(folder / relative, content) for relative, content in starter_files()]
    existing = [target for target, _ in files if target.exists()]
    if existing and not args.force:
        _err(text("cli.init.exists", paths=existing, folder=_shell_word(args.dir)))
        return 1
    written: list[Path] = []
    for target, content in files:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.read_bytes())
        except OSError as error:
            _err(text("cli.init.write_failed", path=target, detail=error.strerror))
            return 1
        written.append(target)
    _out(
        text(
            "cli.init.done",
            paths=written,
            config=_shell_word(folder / CONFIG_FILE_NAME),
            units=_shell_word(folder / "units.csv"),
            forms=_shell_word(folder / "forms"),
        )
    )
    return 0


# ---------------------------------------------------------------------------------------------
# baocao check


def _day(value: str) -> date:
    parsed = parse_date(value.strip())
    if parsed is None:
        raise argparse.ArgumentTypeError(text("cli.args.bad_date", value=value))
    return parsed


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help=text("cli.args.check_config"))
    parser.add_argument(
        "--today", type=_day, metavar="DD/MM/YYYY", help=text("cli.args.check_today")
    )


def config_path(given: str | None) -> Path:
    """The config file to use: --config, else $BAOCAO_CONFIG, else ./config.toml."""
    return Path(given or os.environ.get(CONFIG_ENV) or CONFIG_FILE_NAME)


@command("check", help="cli.args.check", arguments=_check_arguments)
def check(args: argparse.Namespace) -> int:
    """Check config and data: every problem and exit 1, or a summary and exit 0."""
    path = config_path(args.config)
    if not path.is_file():
        folder = path.parent if str(path.parent) != "." else Path()
        _err(text("cli.check.no_config", path=path, folder=_shell_word(folder)))
        return 2
    try:
        workspace = load_workspace(path)
    except ConfigError as error:
        for problem in error.problems:
            _out(str(problem))
        _out(text("cli.check.failed", count=len(error.problems), config=_shell_word(path)))
        return 1
    zone = ZoneInfo(workspace.settings.regime.timezone)
    now = (
        datetime.combine(args.today, time(0, 0), tzinfo=zone) if args.today else datetime.now(zone)
    )
    _out(summary(workspace, now))
    # Imported here: `import bot.cli.main` stays free of the storage layer's dependencies.
    from bot.workspace.drift import stored_orphans

    orphans = stored_orphans(workspace)
    if orphans:
        _out(text("cli.drift.warning", orphans=orphans))
    return 0


def summary(workspace: Workspace, now: datetime) -> str:
    """The one-screen overview `baocao check` prints when all is well."""
    settings, regime = workspace.settings, workspace.settings.regime
    today = now.date()
    active = units_in_force(workspace.units, today)
    groups: dict[str, int] = {}
    for unit in active:
        groups[unit.group] = groups.get(unit.group, 0) + 1
    forms = [
        {
            "code": form.code,
            "title": form.title,
            "fields": len(form.fields),
            "required": sum(f.required for f in form.fields),
            "owers": sum(unit.owes(form.code) for unit in active),
        }
        for form in workspace.forms.values()
    ]
    periods = []
    current = current_period(now, regime)
    for role, period in (("period_current", current), ("period_next", current.next())):
        start, end = period_window(period, regime)
        periods.append(
            {
                "role": text(f"cli.check.{role}"),
                "label": period.label,
                "start": start,
                "end": end,
                "opens": open_at(period, regime),
                "deadline": deadline_at(period, regime),
            }
        )
    return text(
        "cli.check.summary",
        config=settings.source,
        office=settings.office,
        today=today,
        active=len(active),
        inactive=len(workspace.units) - len(active),
        groups=[{"name": name, "count": count} for name, count in groups.items()],
        forms=forms,
        periods=periods,
        storage=settings.storage.path,
        telegram=settings.telegram,
        telegram_token=bool(os.environ.get(settings.telegram.token_env)),
        zalo=settings.zalo,
        zalo_token=bool(os.environ.get(settings.zalo.token_env)),
        zone=ZoneInfo(regime.timezone),
    )
