"""`baocao template export`: the packaged Word template copied into templates/ beside the
office's config, to edit there (letterhead, fonts, wording); drafts use that copy from then
on, and upgrades leave it alone. An existing copy is kept unless --force."""

from __future__ import annotations

import argparse
import sys

from bot.cli.main import command
from bot.cli.options import add_config, checked_settings
from bot.report.docx import template_bytes
from bot.workspace.overrides import WORD_TEMPLATE, overrides_folder
from templates.catalog import text


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", title=text("cli.template.actions_title"))
    child = actions.add_parser(
        "export", help=text("cli.template.export"), description=text("cli.template.export")
    )
    add_config(child)
    child.add_argument("--force", action="store_true", help=text("cli.template.arg_force"))


@command("template", help="cli.template.help", arguments=_arguments)
def template(args: argparse.Namespace) -> int:
    """Write the packaged Word template into the office's templates/ folder."""
    if getattr(args, "action", None) != "export":
        print(text("cli.template.no_action"), file=sys.stderr)
        return 2
    settings = checked_settings(args)
    if settings is None:
        return 1
    folder = overrides_folder(settings.source.parent)
    target = folder / WORD_TEMPLATE
    if target.exists() and not args.force:
        print(text("cli.template.exists", path=target), file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template_bytes())
    print(text("cli.template.written", path=target))
    return 0
