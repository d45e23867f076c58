"""`baocao template export`: the packaged Word template copied into templates/ beside the
office's config, to edit there (letterhead, fonts, wording), and the packaged text catalogs
into templates/texts/ (to keep only the keys the office rewords); drafts and the bot use
those copies from then on, and upgrades leave them alone. An existing copy is kept unless
--force."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.main import command
from bot.cli.options import add_config, checked_settings
from bot.report.docx import template_bytes
from bot.workspace.overrides import WORD_TEMPLATE, office_texts, overrides_folder
from templates.catalog import catalog_names, packaged_catalog, text


def _arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", title=text("cli.template.actions_title"))
    child = actions.add_parser(
        "export", help=text("cli.template.export"), description=text("cli.template.export")
    )
    add_config(child)
    child.add_argument("--force", action="store_true", help=text("cli.template.arg_force"))


@command("template", help="cli.template.help", arguments=_arguments)
def template(args: argparse.Namespace) -> int:
    """Write the packaged Word template and texts into the office's templates/ folder."""
    if getattr(args, "action", None) != "export":
        print(text("cli.template.no_action"), file=sys.stderr)
        return 2
    settings = checked_settings(args)
    if settings is None:
        return 1
    files = _exported(settings.source.parent)
    written = 0
    for target, content, said in files:
        if target.exists() and not args.force:
            print(text("cli.template.exists", path=target), file=sys.stderr)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        print(text(said, path=target))
        written += 1
    # Nothing written: every copy was kept, which the office may not have meant.
    return 0 if written else 1


def _exported(base: Path) -> list[tuple[Path, bytes, str]]:
    """Each file the export writes: where, its content, and the text that says so."""
    header = text("cli.template.texts_header").encode() + b"\n\n"
    files = [(overrides_folder(base) / WORD_TEMPLATE, template_bytes(), "cli.template.written")]
    for name in catalog_names():
        body = header + packaged_catalog(name).encode()
        files.append((office_texts(base) / f"{name}.toml", body, "cli.template.texts_written"))
    return files
