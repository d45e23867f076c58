"""`baocao backup`: a verified copy of the database, taken while the bot keeps running."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.cli.main import command
from bot.cli.options import add_config, checked_settings, complain
from bot.runtime.db_errors import explain
from storage import StorageError
from storage.backup import backup_file
from storage.inspection import check_file
from storage.schema import APPLICATION_ID, latest_version
from templates.catalog import text


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--out", metavar="FILE", required=True, help=text("cli.backup.arg_out"))
    parser.add_argument("--force", action="store_true", help=text("cli.backup.arg_force"))


@command("backup", help="cli.backup.help", arguments=_arguments)
def backup(args: argparse.Namespace) -> int:
    """Copy the database to --out, verify the copy, print a summary; 1 on any failure."""
    # Only config.toml is read: a mistake in the units or forms files must not stop a backup.
    settings = checked_settings(args)
    if settings is None:
        return 1
    source, dest = settings.storage.path, Path(args.out)
    if dest.exists() and not args.force:
        complain(text("cli.backup.exists", path=dest))
        return 1
    if not source.is_file():
        complain(text("cli.backup.no_database", path=source))
        return 1
    if not dest.parent.is_dir():
        complain(text("cli.backup.no_folder", folder=dest.parent))
        return 1
    try:
        asyncio.run(backup_file(source, dest))
    except StorageError as error:
        complain(text("cli.backup.failed", path=dest, detail=explain(error, source)))
        return 1
    # Verified from the file itself, as a restore would read it.
    health = check_file(dest, full=True)
    problems = list(health.problems)
    if health.user_version != latest_version() or health.application_id != APPLICATION_ID:
        problems.append(
            f"user_version={health.user_version}, application_id={health.application_id}"
        )
    if problems:
        complain(text("cli.backup.verify_failed", path=dest, problems=problems))
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
