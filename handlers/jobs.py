"""Asking for long work (the draft, the export) from chat: a job entry in the outbox.

The job runs after this transaction commits (see bot/runtime/jobs.py), so a handler stays quick and
the request survives a crash.
"""

from __future__ import annotations

from domain.calendar import current_period
from domain.periods import Period
from domain.report_periods import parse_report_period
from handlers.context import HandlerContext
from handlers.events import Incoming, Reply, Sender
from templates.catalog import text
from templates.periods import period_label

JOBS_CHANNEL = "jobs"
IMPORT_TICKETS = "import_tickets"


def job_request(kind: str, period: Period | None, sender: Sender, **extra: str) -> Reply:
    """The outbox entry asking for job `kind` (of `period`, for a job of one; `extra`: the
    job's own fields); its result goes back to the asking chat."""
    fields = {"job": kind} | ({"period": period.key} if period is not None else {}) | extra
    return Reply(
        chat_id=sender.chat_id,
        channel=JOBS_CHANNEL,
        extra=fields | {"reply_channel": sender.channel, "by": sender.person_key},
    )


async def _asked(ctx: HandlerContext, event: Incoming, kind: str) -> list[Reply]:
    chat_id = event.sender.chat_id
    typed = event.argument.strip()
    try:
        period = (
            parse_report_period(typed) if typed else current_period(ctx.now, ctx.catalog.regime)
        )
    except ValueError:
        return [Reply(chat_id=chat_id, text=text("chat.bad_report_period", typed=typed))]
    working = Reply(chat_id=chat_id, text=text(f"chat.{kind}_started", period=period_label(period)))
    await remember_name(ctx, event)
    return [working, job_request(kind, period, event.sender)]


async def remember_name(ctx: HandlerContext, event: Incoming) -> None:
    """The name the asking member goes by, for the dashboard's drafts page (config.toml
    knows office staff by id only); written with a request that succeeds, never with a
    refused one."""
    sender = event.sender
    if sender.display_name:
        await ctx.tx.office_people.remember(sender.person_key, sender.display_name, ctx.now)


async def compile_report(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/tonghop [MM/YYYY]: compile the draft and send the .docx with a short summary."""
    return await _asked(ctx, event, "compile")


async def export_workbook(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/xuat [MM/YYYY]: the period's figures, tickets and revisions as an .xlsx file."""
    return await _asked(ctx, event, "export")


async def import_tickets_file(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """An office member sent a file: import it as the ticket list, in a job (bot/runtime)."""
    sender = event.sender
    if not event.text:
        return [Reply(chat_id=sender.chat_id, text=text("chat_tickets.import_no_file"))]
    working = text("chat_tickets.import_started", file=event.file_name or "?")
    request = job_request(
        IMPORT_TICKETS,
        None,
        sender,
        file_ref=event.text,  # Telegram's file_id
        file_name=event.file_name,
    )
    return [Reply(chat_id=sender.chat_id, text=working), request]


async def drafts_outdated(ctx: HandlerContext, period: Period, unit_code: str) -> list[Reply]:
    """After an answer changed: mark the period's drafts out of date, telling the office once."""
    if not await ctx.tx.drafts.mark_stale(period):
        return []
    if not ctx.office.drafts_chat:
        return []
    unit = ctx.catalog.units.get(unit_code)
    body = text("chat.draft_outdated", period=period.label, unit=unit.name if unit else unit_code)
    return [Reply(chat_id=ctx.office.drafts_chat, channel="telegram", text=body)]
