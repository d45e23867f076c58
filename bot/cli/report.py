"""`baocao report`, `baocao export`, `baocao load-answers`: the draft report and the data
behind it, from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli.main import command
from bot.cli.options import add_config, checked_workspace, office_now, on_database
from bot.report.compile import Draft, compile_draft, export_workbook
from bot.report.review import review_name
from bot.report.tickets_source import draft_inputs
from bot.workspace.answers_file import (
    AnswersFile,
    AnswersFileError,
    load_answers,
    read_answers_file,
)
from bot.workspace.answers_xlsx import read_answers_xlsx
from bot.workspace.load import Workspace
from bot.workspace.report_spec import ReportSpecError
from bot.workspace.workbook import is_xlsx
from domain.calendar import current_period
from domain.periods import Period, parse_period
from domain.report_periods import parse_report_period
from storage import Database, StorageError
from templates.catalog import text


def _period(value: str) -> Period:
    try:
        return parse_report_period(value)
    except ValueError:
        raise argparse.ArgumentTypeError(text("report.cli.bad_period", value=value)) from None


def _common(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("--period", type=_period, metavar="KỲ", help=text("report.cli.arg_period"))


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--out", metavar="FILE.docx|FILE.md", help=text("report.cli.arg_out"))


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument(
        "--out", metavar="FILE.xlsx", required=True, help=text("report.cli.arg_xlsx")
    )


def _load_arguments(parser: argparse.ArgumentParser) -> None:
    add_config(parser)
    parser.add_argument("files", nargs="+", metavar="FILE", help=text("report.cli.arg_files"))
    parser.add_argument(
        "--period", metavar="YYYY-MM", type=_month, help=text("report.cli.arg_load_period")
    )


def _month(value: str) -> Period:
    try:
        return parse_period(value)
    except ValueError:
        raise argparse.ArgumentTypeError(text("report.cli.bad_period", value=value)) from None


def _read(name: str, workspace: Workspace, period: Period | None) -> AnswersFile:
    """An answers file: TOML (the sample's format), or a workbook in the export's layout."""
    path = Path(name)
    if is_xlsx(path):
        return read_answers_xlsx(path, workspace, period)
    return read_answers_file(path)


def _chosen(args: argparse.Namespace, workspace: Workspace) -> Period:
    chosen: Period | None = args.period
    return chosen or current_period(office_now(workspace), workspace.settings.regime)


@command("report", help="report.cli.report", arguments=_report_arguments)
def report(args: argparse.Namespace) -> int:
    """Compile the period's draft report, store it as a new version, write .docx or .md."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    period = _chosen(args, workspace)
    try:
        draft = on_database(workspace.settings, lambda db: _compile(db, workspace, period))
    except (ReportSpecError, StorageError) as error:
        print(text("report.cli.failed", detail=str(error)), file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else Path(draft.file_name)
    data = draft.markdown.encode("utf-8") if out.suffix.lower() == ".md" else draft.docx
    out.write_bytes(data)
    # The review sheet goes beside the draft, never inside it.
    review = out.with_name(review_name(out.with_suffix(".docx").name))
    review.write_bytes(draft.review_docx)
    print(draft.summary)
    print(text("report.cli.written", path=out))
    print(text("report.cli.written", path=review))
    return 0


async def _compile(db: Database, workspace: Workspace, period: Period) -> Draft:
    now = office_now(workspace)
    spec, tickets = await draft_inputs(db, workspace, period, now)
    return await compile_draft(
        db, workspace, period, now, created_by="cli", spec=spec, tickets=tickets
    )


@command("export", help="report.cli.export", arguments=_export_arguments)
def export(args: argparse.Namespace) -> int:
    """Write the period's answers, tickets and revisions as a spreadsheet."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    period = _chosen(args, workspace)
    try:
        data = on_database(workspace.settings, lambda db: _export(db, workspace, period))
    except StorageError as error:
        print(text("report.cli.failed", detail=str(error)), file=sys.stderr)
        return 1
    Path(args.out).write_bytes(data)
    print(text("report.cli.written", path=args.out))
    return 0


async def _export(db: Database, workspace: Workspace, period: Period) -> bytes:
    return await export_workbook(db, workspace, period, office_now(workspace))


@command("load-answers", help="report.cli.load", arguments=_load_arguments)
def load(args: argparse.Namespace) -> int:
    """Load answers files (the sample data set's format) into the database."""
    workspace = checked_workspace(args)
    if workspace is None:
        return 1
    try:
        files = [_read(name, workspace, args.period) for name in args.files]
        counts = on_database(workspace.settings, lambda db: _load(db, workspace, files))
    except (AnswersFileError, StorageError) as error:
        print(text("report.cli.failed", detail=str(error)), file=sys.stderr)
        return 1
    for answers, count in zip(files, counts, strict=True):
        print(text("report.cli.loaded", period=answers.period.label, count=count))
    return 0


async def _load(db: Database, workspace: Workspace, files: list[AnswersFile]) -> list[int]:
    return [await load_answers(db, workspace, answers) for answers in files]
