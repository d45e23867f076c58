"""`baocao init` and `baocao check`: write the office's starter files, and check them."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from datetime import datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from bot.cli.main import command
from bot.cli.options import add_workspace, complain, config_path, office_now, say, shell_word, zone
from bot.workspace.config import CONFIG_FILE_NAME
from bot.workspace.drift import stored_orphans
from bot.workspace.load import Workspace, load_workspace
from bot.workspace.problems import ConfigError
from bot.workspace.starter_values import left_as_shipped
from domain.aggregation import aggregation_of
from domain.calendar import current_period, deadline_at, open_at, period_window
from domain.forms import Form
from domain.units import units_in_force
from templates.catalog import text

STARTER_PACKAGE = "bot.workspace"
STARTER_FOLDER = "starter"
GITIGNORE = ".gitignore"


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
        complain(text("cli.init.exists", paths=existing, folder=shell_word(args.dir)))
        return 1
    written: list[Path] = []
    for target, content in files:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.read_bytes())
        except OSError as error:
            complain(text("cli.init.write_failed", path=target, detail=error.strerror))
            return 1
        written.append(target)
    ignore = _write_gitignore(folder)
    if ignore is not None:
        written.append(ignore)
    say(
        text(
            "cli.init.done",
            paths=written,
            config=shell_word(folder / CONFIG_FILE_NAME),
            units=shell_word(folder / "units.csv"),
            forms=shell_word(folder / "forms"),
        )
    )
    return 0


def _write_gitignore(folder: Path) -> Path | None:
    """Keep invites, the database and backups out of git: write .gitignore, or add our block
    to the office's own; None when it already has the block (or cannot be written)."""
    target = folder / GITIGNORE
    block = text("cli.init.gitignore").rstrip("\n") + "\n"
    try:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if block.splitlines()[0] in current:
            return None
        separator = "\n" if current and not current.endswith("\n") else ""
        target.write_text(current + separator + block, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        # Not fatal: the office's files are written; say what to keep out of git by hand.
        complain(text("cli.init.write_failed", path=target, detail=str(error)))
        return None
    return target


# ---------------------------------------------------------------------------------------------
# baocao check


@command("check", help="cli.args.check", arguments=add_workspace)
def check(args: argparse.Namespace) -> int:
    """Check config and data: every problem and exit 1, or a summary and exit 0."""
    path = config_path(args.config)
    if not path.is_file():
        folder = path.parent if str(path.parent) != "." else Path()
        complain(text("cli.check.no_config", path=path, folder=shell_word(folder)))
        return 2
    try:
        workspace = load_workspace(path)
    except ConfigError as error:
        for problem in error.problems:
            say(str(problem))
        say(text("cli.check.failed", count=len(error.problems), config=shell_word(path)))
        return 1
    say(summary(workspace, office_now(workspace, args.today)))
    for warning in workspace.warnings:
        say(text("cli.check.texts_warning", problem=str(warning)))
    left = left_as_shipped(workspace.settings)
    if left:  # a warning: the exit status stays 0, a test office may run as shipped
        say(text("cli.check.starter_left", left=left, config=path, note=True))
    orphans = stored_orphans(workspace)
    if orphans:
        say(text("cli.drift.warning", orphans=orphans))
    return 0


def aggregations(form: Form) -> list[dict[str, object]]:
    """How each numeric field of a form adds up over months, and whether it was guessed."""
    shown: list[dict[str, object]] = []
    for field in form.fields:
        if not field.type.is_numeric:
            continue
        how, guessed = aggregation_of(field)
        shown.append({"key": field.key, "how": how.value, "guessed": guessed, "of": field.ratio_of})
    return shown


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
            "aggregations": aggregations(form),
            "frequency": form.frequency.value,
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
        zone=zone(workspace),
    )
