"""`baocao doctor`: what is wrong with this installation, and how to fix it."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.main import command
from bot.cli.options import add_config, config_path
from bot.doctor.checks import Doctor, Finding, Level
from bot.runtime.logs import configured_secrets, setup_logging
from bot.workspace.config import read_settings
from templates.catalog import text


def _arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--offline", action="store_true", help=text("cli.doctor.arg_offline"))


def _secrets(args: argparse.Namespace) -> list[str]:
    """The tokens and webhook secrets the config names, to keep out of any log line."""
    settings, _ = read_settings(config_path(args.config))
    return [] if settings is None else configured_secrets(settings)


def render(finding: Finding) -> str:
    """One finding as printed."""
    return text(
        "cli.doctor.line",
        level=text(f"cli.doctor.level_{finding.level.value}"),
        check=text(f"cli.doctor.check_{finding.check}"),
        message=finding.message,
    )


@command("doctor", help="cli.doctor.help", arguments=_arguments)
def doctor(args: argparse.Namespace) -> int:
    """Print every check's outcome; exit 1 if anything needs fixing."""
    path = config_path(args.config)
    if not path.is_file():
        print(text("cli.check.no_config", path=path, folder=path.parent))
        return 2
    setup_logging(_secrets(args))
    findings = asyncio.run(Doctor(path, offline=args.offline).run())
    for finding in findings:
        print(render(finding))
    to_fix = sum(f.level is Level.FIX for f in findings)
    print(text("cli.doctor.summary_fix", count=to_fix) if to_fix else text("cli.doctor.summary_ok"))
    return 1 if to_fix else 0
