"""What every `baocao` command shares, defined once: `--config`, `--today`, the checked
workspace, the office's present moment in its time zone, and a run on its database."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.workspace.config import CONFIG_ENV, CONFIG_FILE_NAME, load_settings
from bot.workspace.load import Workspace, load_workspace
from bot.workspace.problems import ConfigError
from bot.workspace.settings import Settings
from bot.workspace.units_file import parse_date
from domain.calendar import office_zone
from storage import Database
from templates.catalog import text

Loaded = TypeVar("Loaded")
Done = TypeVar("Done")

# `--today D` stands for noon of D in the office's time zone: a period that opens that
# morning has opened, a deadline that afternoon has not passed, whatever the zone.
TODAY_AT = time(12, 0)


def say(message: str) -> None:
    """Print a result on standard output."""
    print(message, file=sys.stdout)


def complain(message: str) -> None:
    """Print a problem on standard error."""
    print(message, file=sys.stderr)


def shell_word(value: str | Path) -> str:
    """A path as typed into a shell (quoted when it has spaces)."""
    word = str(value)
    return f'"{word}"' if any(c.isspace() for c in word) else word


# ---------------------------------------------------------------------------------------------
# The options


def add_config(parser: argparse.ArgumentParser) -> None:
    """`--config FILE`: the office's config.toml."""
    parser.add_argument("--config", metavar="FILE", help=text("cli.args.config"))


def add_today(parser: argparse.ArgumentParser) -> None:
    """`--today DD/MM/YYYY`: judge as at noon of that day (see `office_now`)."""
    parser.add_argument("--today", type=_day, metavar="DD/MM/YYYY", help=text("cli.args.today"))


def add_workspace(parser: argparse.ArgumentParser) -> None:
    """`--config` and `--today`, for a command that reads the workspace as of a day."""
    add_config(parser)
    add_today(parser)


def _day(value: str) -> date:
    parsed = parse_date(value.strip())
    if parsed is None:
        raise argparse.ArgumentTypeError(text("cli.args.bad_date", value=value))
    return parsed


def port_number(value: str) -> int:
    """A `--port` value: a TCP port 1–65535, or a problem argparse prints with the usage."""
    try:
        port = int(value.strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(text("cli.args.bad_port", value=value))
    return port


# ---------------------------------------------------------------------------------------------
# What they give


def config_path(given: str | None) -> Path:
    """The config file to use: --config, else $BAOCAO_CONFIG, else ./config.toml."""
    return Path(given or os.environ.get(CONFIG_ENV) or CONFIG_FILE_NAME)


def checked_workspace(args: argparse.Namespace) -> Workspace | None:
    """The workspace --config names, checked; None after printing why it cannot be used."""
    return _checked(args.config, load_workspace)


def checked_settings(args: argparse.Namespace) -> Settings | None:
    """The settings of the config file --config names (its units and forms files unread);
    None after printing why they cannot be used."""
    return _checked(args.config, load_settings)


def _checked(given: str | None, load: Callable[[Path], Loaded]) -> Loaded | None:
    path = config_path(given)
    if not path.is_file():
        complain(text("cli.check.no_config", path=path, folder=path.parent))
        return None
    try:
        return load(path)
    except ConfigError as error:
        for problem in error.problems:
            complain(str(problem))
        complain(text("cli.check.failed", count=len(error.problems), config=path))
        return None


def zone(workspace: Workspace) -> ZoneInfo:
    """The office's time zone: every time a command prints is shown in it."""
    return office_zone(workspace.settings.regime)


def office_now(workspace: Workspace, today: date | None = None) -> datetime:
    """The moment a command judges at: noon of `today` (--today) if given, else now; in the
    office's time zone."""
    if today is not None:
        return datetime.combine(today, TODAY_AT, tzinfo=zone(workspace))
    return datetime.now(zone(workspace))


def on_database(settings: Settings, work: Callable[[Database], Awaitable[Done]]) -> Done:
    """Open the office's database, do `work` on it, close it; StorageError goes up to the
    command, which says what went wrong in its own words."""

    async def run() -> Done:
        async with await Database.open(settings.storage.path) as db:
            return await work(db)

    return asyncio.run(run())
