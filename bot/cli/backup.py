"""`baocao backup`: a verified copy of the database, taken while the bot keeps running."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.main import command, config_path
from bot.runtime.db_errors import explain
from bot.workspace.config import load_settings
from bot.workspace.problems import ConfigError
from bot.workspace.settings import Settings
from storage import StorageError
from storage.backup import backup_file
from storage.inspection import check_file
from storage.schema import APPLICATION_ID, latest_version
from templates.catalog import text


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def settings_or_explain(given: str | None) -> Settings | None:
    """The checked config file's settings, or None after printing why it cannot be used.

    Only config.toml is read: a mistake in the units or forms files must not stop a backup.
    """
    path = config_path(given)
    if not path.is_file():
        _err(text("cli.check.no_config", path=path, folder=path.parent))
        return None
    try:
        return load_settings(path)
    except ConfigError as error:
        for problem in error.problems:
            _err(str(problem))
        _err(text("cli.check.failed", count=len(error.problems), config=path))
        return None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help=text("cli.args.check_config"))
    parser.add_argument("--out", metavar="FILE", required=True, help=text("cli.backup.arg_out"))
    parser.add_argument("--force", action="store_true", help=text("cli.backup.arg_force"))


@command("backup", help="cli.backup.help", arguments=_arguments)
def backup(args: argparse.Namespace) -> int:
    """Copy the database to --out, verify the copy, print a summary; 1 on any failure."""
    settings = settings_or_explain(args.config)
    if settings is None:
        return 1
    source, dest = settings.storage.path, Path(args.out)
    if dest.exists() and not args.force:
        _err(text("cli.backup.exists", path=dest))
        return 1
    if not source.is_file():
        _err(text("cli.backup.no_database", path=source))
        return 1
    if not dest.parent.is_dir():
        _err(text("cli.backup.no_folder", folder=dest.parent))
        return 1
    try:
        asyncio.run(backup_file(source, dest))
    except StorageError as error:
        _err(text("cli.backup.failed", path=dest, detail=explain(error, source)))
        return 1
    # Verified from the file itself, as a restore would read it.
    health = check_file(dest, full=True)
    problems = list(health.problems)
    if health.user_version != latest_version() or health.application_id != APPLICATION_ID:
        problems.append(
            f"user_version={health.user_version}, application_id={health.application_id}"
        )
    if problems:
        _err(text("cli.backup.verify_failed", path=dest, problems=problems))
        return 1
    print(
        text(
            "cli.backup.done",
            source=source,
            path=dest,
            size=f"{dest.stat().st_size:,}".replace(",", "."),
            version=health.user_version,
            counts=health.counts,
        )
    )
    return 0
