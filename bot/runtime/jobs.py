"""Long work asked for in chat (compile the draft, export a workbook), run after the asking
transaction commits, through the outbox.

A job is an outbox message to the pseudo-channel "jobs": it is stored in the same
transaction as the office's command, survives a crash (and is then run again, up to
[delivery] job_attempts runs cut short: then it is quarantined and the office told once, see
bot/runtime/delivery.py), and is run by the delivery worker like any message, outside the
handler's transaction, so it may read and write the database itself.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.channels.base import Rejected
from bot.report.compile import compile_draft, export_file_name, export_workbook
from bot.report.tickets_source import draft_inputs
from bot.runtime.clock import Clock
from bot.runtime.form_files import run_filled, run_sheet, sheet_file
from bot.runtime.outbox import queue_replies
from bot.runtime.ticket_import import FileFetcher, run_import
from bot.workspace.load import Workspace
from domain.report_periods import parse_report_period
from handlers.context import HandlerContext
from handlers.events import Document, Reply
from handlers.form_file import FILLED_JOB, SHEET_JOB
from handlers.jobs import IMPORT_TICKETS, JOBS_CHANNEL
from storage import Database, OutboxMessage, WriteTransaction
from templates.catalog import text
from templates.periods import period_label

log = logging.getLogger(__name__)

CHANNEL = JOBS_CHANNEL


class JobsChannel:
    """Runs jobs and queues their results (documents) for the chat that asked."""

    name = CHANNEL

    def __init__(
        self,
        db: Database,
        workspace: Workspace,
        clock: Clock,
        on_queued: Callable[[], None],
        fetch_file: FileFetcher | None = None,
        make_context: Callable[[WriteTransaction], HandlerContext] | None = None,
    ) -> None:
        self.db = db
        self.workspace = workspace
        self.clock = clock
        self.on_queued = on_queued
        self.fetch_file = fetch_file
        self.make_context = make_context
        self.max_runs = workspace.settings.delivery.job_attempts

    async def quarantined(self, tx: WriteTransaction, message: OutboxMessage, runs: int) -> None:
        """Tell the chat that asked for the job that it was set aside, and what to do."""
        payload = message.payload
        notice = text(
            "chat.job_quarantined",
            job=payload.get("job"),
            file=str(payload.get("file_name") or "?"),  # the chat catalog escapes it
            period=_period_label(payload),
            runs=runs,
            id=message.id,
        )
        reply = Reply(chat_id=message.chat_id, text=notice)
        await queue_replies(tx, [reply], payload["reply_channel"])

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Run the job named in the payload; its document is queued for `chat_id`."""
        if payload["job"] == IMPORT_TICKETS:
            await run_import(self.db, self.workspace, self.clock, self.fetch_file, chat_id, payload)
            self.on_queued()
            return
        if payload["job"] in (SHEET_JOB, FILLED_JOB):
            await self._form_file(chat_id, payload)
            self.on_queued()
            return
        period = parse_report_period(payload["period"])
        try:
            documents = await job_documents(self.db, self.workspace, payload, self.clock())
        except Rejected:
            raise
        except Exception as error:
            log.exception("job %s for %s failed", payload.get("job"), payload.get("period"))
            failure = text("chat.job_failed", period=period_label(period))
            await self._queue(payload, chat_id, Reply(chat_id=chat_id, text=failure))
            raise Rejected(f"job failed: {type(error).__name__}") from None
        replies = [Reply(chat_id=chat_id, document=document) for document in documents]
        await self._queue(payload, chat_id, *replies)

    async def _form_file(self, chat_id: str, payload: dict[str, Any]) -> None:
        """A unit's forms as a spreadsheet (/mau), or the filled file it sent back."""
        if payload["job"] == SHEET_JOB:
            await run_sheet(self.db, chat_id, payload)
            return
        if self.make_context is None:
            raise Rejected("no handlers to take a filled form file")
        fetch = self.fetch_file
        await run_filled(self.db, self.make_context, self.clock, fetch, chat_id, payload)

    async def _queue(self, payload: dict[str, Any], chat_id: str, *replies: Reply) -> None:
        async with self.db.write() as tx:
            await queue_replies(tx, list(replies), payload["reply_channel"])
        self.on_queued()


def _period_label(payload: dict[str, Any]) -> str:
    try:
        return period_label(parse_report_period(str(payload.get("period"))))
    except ValueError:
        return "?"


async def job_documents(
    db: Database, workspace: Workspace, payload: dict[str, Any], now: datetime
) -> list[Document]:
    """Run the job a payload names (compile the draft, export the workbook): its documents
    (the draft and its review sheet; the workbook).

    Rejected for a job this program does not know; other errors pass through.
    """
    if payload["job"] == SHEET_JOB:  # the console's /mau: its file drawn there
        return [await sheet_file(payload)]
    period = parse_report_period(payload["period"])
    if payload["job"] == "compile":
        spec, tickets = await draft_inputs(db, workspace, period, now)
        draft = await compile_draft(
            db, workspace, period, now, created_by=payload["by"], spec=spec, tickets=tickets
        )
        # The summary is plain text (unit names may hold < or &): escape it for HTML.
        caption = html.escape(draft.summary, quote=False)
        review_caption = text("chat.review_caption", period=period_label(period))
        return [
            Document(draft.file_name, draft.docx, caption),
            Document(draft.review_name, draft.review_docx, review_caption),
        ]
    if payload["job"] == "export":
        content = await export_workbook(db, workspace, period, now)
        name = export_file_name(workspace, period)
        return [Document(name, content, text("chat.export_caption", period=period_label(period)))]
    raise Rejected(f"unknown job {payload['job']!r}")
