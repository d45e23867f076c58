"""compile_draft: the period's draft report as .docx and .md, stored as a numbered version."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.report.aggregate import build_span_document
from bot.report.charts import read_charts
from bot.report.compose import ReportInputs, compose
from bot.report.docx import render_docx
from bot.report.export import export_xlsx
from bot.report.export_span import export_span_xlsx
from bot.report.gather import read_history, read_standing
from bot.report.markdown import render_markdown
from bot.report.model import Document
from bot.report.review import render_review, review_name
from bot.report.tickets_source import export_inputs
from bot.workspace.load import Workspace
from bot.workspace.overrides import office_template
from bot.workspace.report_spec import spec_for
from domain.calendar import period_window
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_periods import ReportPeriod, period_kind
from domain.report_tickets import TicketSummary, summary_from_forms
from storage import Database
from templates.catalog import text
from templates.periods import period_label

DRAFT_AUTHOR = "baocao"


@dataclass(frozen=True, slots=True)
class Draft:
    """A compiled draft: the Word file, the stored version number, a short summary (units
    reported / total, gaps, warnings) and its Markdown preview on request."""

    period: Period
    version: int
    file_name: str
    docx: bytes
    summary: str
    document: Document
    review_name: str = ""  # the review sheet (…_ra-soat.docx), never attached to the report
    review_docx: bytes = b""

    @property
    def markdown(self) -> str:
        """The draft as Markdown (`baocao report --out x.md`, the demo), rendered when asked:
        the chat never shows it, and a year's took a fifth of a second."""
        return render_markdown(self.document)


def file_name(workspace: Workspace, period: Period, version: int) -> str:
    """The draft's file name, e.g. "BC-STTTT-VP_2022-02_v3.docx" ("..._2025-Q1.docx" for an
    unstored longer period's)."""
    code = workspace.settings.office.document_code.replace("/", "-")
    return f"{code}_{period.key}_v{version}.docx" if version else f"{code}_{period.key}.docx"


def export_file_name(workspace: Workspace, period: Period) -> str:
    """The export's file name, named as the drafts are: "BC-STTTT-VP_2022-02.xlsx" beside
    "BC-STTTT-VP_2022-02_v1.docx" (the figures as they stand, of no one version)."""
    code = workspace.settings.office.document_code.replace("/", "-")
    return f"{code}_{period.key}.xlsx"


async def export_workbook(
    db: Database, workspace: Workspace, period: Period, now: datetime
) -> bytes:
    """The period's .xlsx as /xuat, `baocao export` and the dashboard hand it out: a month's
    answers, tickets and revisions; a longer period's months added up."""
    if isinstance(period, ReportPeriod):
        return await export_span_xlsx(db, workspace, period)
    listed, hotline, spec = await export_inputs(db, workspace, period, now)
    return await export_xlsx(db, workspace, period, listed, hotline, spec=spec)


async def build_document(
    db: Database,
    workspace: Workspace,
    period: Period,
    now: datetime,
    *,
    spec: ReportSpec | None = None,
    tickets: TicketSummary | None = None,
) -> Document:
    """The draft Document of a period, read from the database (nothing is stored)."""
    settings = workspace.settings
    kind = period_kind(period)
    spec = spec or spec_for(settings.source.parent, workspace.forms, workspace.units, kind)
    if isinstance(period, ReportPeriod):
        return await build_span_document(db, workspace, period, now, spec, tickets)
    history = await read_history(db, workspace.forms, spec, period)
    async with db.read() as view:
        standing = await read_standing(
            view, workspace.units, settings.regime, period, workspace.forms
        )
    if tickets is None and spec.tickets is not None:
        cutoff = period_window(period, settings.regime)[1]
        tickets = summary_from_forms(spec.tickets, history[period], workspace.units, cutoff)
    inputs = ReportInputs(
        settings=settings,
        units=workspace.units,
        forms=workspace.forms,
        spec=spec,
        period=period,
        now=now,
        history=history,
        reported=standing.reported,
        late=standing.late,
        pending=standing.pending,
        tickets=tickets,
    )
    doc = compose(inputs)
    # read_history read the period and the one before whole: the charts take those (the
    # draft's own snapshot) and read only the earlier periods.
    known = {p: history[p] for p in (period, period.previous())}
    doc.charts = await read_charts(db, workspace, period, spec, known)
    return doc


def summary(doc: Document, version: int) -> str:
    """The few lines said after a compile."""
    return text(
        "report.summary.text",
        period=period_label(doc.period),
        version=version,
        reported=doc.units_reported,
        total=doc.units_total,
        gaps=len(doc.gaps),
        warnings=len(doc.warnings),
        pending=[line.unit for line in doc.not_reported],
    )


async def compile_draft(
    db: Database,
    workspace: Workspace,
    period: Period,
    now: datetime,
    *,
    created_by: str = DRAFT_AUTHOR,
    spec: ReportSpec | None = None,
    tickets: TicketSummary | None = None,
    template: Path | None = None,
) -> Draft:
    """Compile the period's draft, store it as the period's next version (a monthly one),
    and return it.

    `tickets` replaces the hotline figures the forms give (e.g. from imported ticket lists);
    `spec` replaces report.toml; `template` replaces the shipped Word template.
    """
    doc = await build_document(db, workspace, period, now, spec=spec, tickets=tickets)
    # The office's own Word template (templates/report.docx beside its config), if any.
    template = template or office_template(workspace.settings.source.parent)
    # Rendering is CPU work of a second or more for a large office: off the event loop, so
    # the bot keeps answering meanwhile (the document is the thread's alone).
    docx = await asyncio.to_thread(render_docx, doc, template)
    if isinstance(period, ReportPeriod):
        # A longer period is compiled from the months' stored answers whenever asked; the
        # drafts table keeps the monthly versions only.
        name = file_name(workspace, period, 0)
        review = await asyncio.to_thread(render_review, doc, 0)
        return Draft(period, 0, name, docx, summary(doc, 0), doc, review_name(name), review)
    # The review sheet names the version it goes with: made ahead with the number the draft
    # should get, so the write lock is not held while it renders.
    async with db.read(one_statement=True) as view:
        version = await view.drafts.next_version(period)
    review = await asyncio.to_thread(render_review, doc, version)
    async with db.write() as tx:
        # The write lock keeps the next version number ours between these statements.
        if (stored_next := await tx.drafts.next_version(period)) != version:
            version = stored_next  # another compile came between
            review = await asyncio.to_thread(render_review, doc, version)
        name = file_name(workspace, period, version)
        await tx.periods.ensure(period)
        stored = await tx.drafts.add(period, name, docx, created_by, now)
        # Kept with its draft in the same transaction: the dashboard hands both out.
        await tx.drafts.keep_review(stored.id, review_name(name), review)
    return Draft(
        period,
        stored.version,
        name,
        docx,
        summary(doc, stored.version),
        doc,
        review_name(name),
        review,
    )
