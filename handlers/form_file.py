"""A unit's forms as a spreadsheet: /mau asks for them (a job writes the .xlsx, prefilled with
this period's answers, last period's beside them for reference), and the filled file sent
back is taken as the "n: value" lines a pasted message would be, through the same parsing,
checks and summary (answering.take_pasted).

Reading the file and writing it are jobs (bot/runtime/form_files.py): they survive a restart
and never hold up the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from domain.answers import Answer
from domain.calendar import current_period
from domain.forms import Field
from domain.obligations import Obligation, can_edit
from domain.periods import Period, parse_period
from handlers import answering, obligated, registration, starting
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Incoming, Reply
from handlers.jobs import job_request
from templates.catalog import text

SHEET_JOB = "form_sheet"
FILLED_JOB = "form_file"


@dataclass(frozen=True, slots=True)
class FilledSheet:
    """One sheet of a filled form file: whose it says it is, and its values as typed lines."""

    name: str
    unit_code: str
    form_code: str
    period: str
    lines: tuple[str, ...]


async def ask_sheet(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/mau [CODE]: the unit's open forms (or the one named) as an .xlsx, made in a job."""
    chat_id = event.sender.chat_id
    usable = [code for code in units if code in ctx.catalog.units]
    if not usable:
        return [registration.stranger_reply(event)]
    # The unit being worked on, else the first: a person of several units picks by /baocao.
    unit_code = state.unit if state.unit in usable else usable[0]
    period = await _period(ctx, state, unit_code)
    owed = [o for o in await starting.owed_forms(ctx, unit_code, period) if can_edit(o)]
    typed = event.argument.strip()
    if typed:
        named = [o for o in owed if o.form_code.casefold() == typed.casefold()]
        if not named:
            codes = sorted(o.form_code for o in owed)
            reply = text("chat_sheets.unknown_form", typed=typed, codes=codes, period=period.label)
            return [Reply(chat_id=chat_id, text=reply)]
        owed = named
    if not owed:
        return [Reply(chat_id=chat_id, text=text("chat_sheets.nothing", period=period.label))]
    sheets = [await _sheet(ctx, o, period) for o in owed]
    unit = ctx.catalog.units[unit_code]
    request = job_request(
        SHEET_JOB,
        period,
        event.sender,
        unit=unit_code,
        unit_name=unit.name,
        sheets=json.dumps(sheets, ensure_ascii=False),
    )
    working = text("chat_sheets.started", unit=unit.name, period=period.label, count=len(sheets))
    return [Reply(chat_id=chat_id, text=working), request]


async def _period(ctx: HandlerContext, state: ConversationState, unit_code: str) -> Period:
    """The period being worked on if still open, else the first open one with forms to send."""
    periods = await starting.open_periods(ctx, unit_code)
    if state.unit == unit_code and state.period:
        current = parse_period(state.period)
        if current in periods:
            return current
    for period in periods:
        if starting.to_send(await starting.owed_forms(ctx, unit_code, period)):
            return period
    return current_period(ctx.now, ctx.catalog.regime)


async def _sheet(ctx: HandlerContext, obligation: Obligation, period: Period) -> dict[str, object]:
    """A form's rows for the job: this period's answers in the value column, the previous
    period's beside them for reference only (a flow of last month left in the value column
    would be stored as this month's without anyone meaning it)."""
    form = ctx.catalog.forms[obligation.form_code]
    unit = obligation.unit_code
    values = await ctx.tx.answers.for_obligation(unit, form.code, period.key)
    before = await ctx.tx.answers.for_obligation(unit, form.code, period.previous().key)
    rows = [
        [
            n,
            field.question,
            field.measure,
            _stored(values, field),
            field.type.value,
            _stored(before, field),
        ]
        for n, field in enumerate(form.fields, 1)
    ]
    return {"form": form.code, "title": form.title, "rows": rows}


def _stored(values: dict[str, Answer], field: Field) -> str:
    answer = values.get(field.key)
    return answer.value or "" if answer else ""


def received(event: Incoming) -> list[Reply]:
    """A focal point sent a file: read it as a filled form in a job (bot/runtime)."""
    sender = event.sender
    if not event.text:
        return [Reply(chat_id=sender.chat_id, text=text("chat_sheets.no_file"))]
    request = job_request(
        FILLED_JOB,
        None,
        sender,
        file_ref=event.text,  # Telegram's file_id
        file_name=event.file_name,
        message_ref=event.message_ref,
        user_id=sender.user_id,
    )
    working = text("chat_sheets.reading", file=event.file_name or "?")
    return [Reply(chat_id=sender.chat_id, text=working), request]


async def take_filled(
    ctx: HandlerContext,
    event: Incoming,
    state: ConversationState,
    units: list[str],
    sheets: list[FilledSheet],
) -> list[Reply]:
    """Take each sheet's lines as pasted answers of its unit's form; a sheet of another unit,
    a closed period or an unknown form is refused with the reason. A flagged value stops
    at its sheet: it waits for keep or fix, and the sheets after it are left for later."""
    chat_id = event.sender.chat_id
    replies: list[Reply] = []
    for number, sheet in enumerate(sheets):
        refusal = await _refusal(ctx, sheet, units)
        if refusal:
            replies.append(Reply(chat_id=chat_id, text=refusal))
            continue
        key = (sheet.unit_code, sheet.form_code, sheet.period)
        if (state.unit, state.form, state.period) != key:
            state.reset()
        state.unit, state.form, state.period = key
        work = await obligated.load(ctx, state)
        state.revising = True  # a file sent back is a change, like /sua: a sent form reopens
        state.back_to_summary = False
        replies.append(await answering.take_pasted(ctx, event, state, work, list(sheet.lines)))
        left = [s.name for s in sheets[number + 1 :]]
        if state.awaiting is Awaiting.FLAGGED and left:
            replies.append(Reply(chat_id=chat_id, text=text("chat_sheets.left", sheets=left)))
            break
    return replies


async def _refusal(ctx: HandlerContext, sheet: FilledSheet, units: list[str]) -> str:
    """Why a sheet cannot be taken ("" when it can)."""
    if sheet.unit_code not in units or sheet.unit_code not in ctx.catalog.units:
        return text("chat_sheets.other_unit", sheet=sheet.name, unit=sheet.unit_code)
    form = ctx.catalog.forms.get(sheet.form_code)
    try:
        period = parse_period(sheet.period)
    except ValueError:
        return text("chat_sheets.bad_marks", sheet=sheet.name)
    owed = {o.form_code for o in starting.forms_owed(ctx, sheet.unit_code, period)}
    if form is None or form.code not in owed:
        return text("chat_sheets.other_form", sheet=sheet.name, form=sheet.form_code)
    # Stored (created if need be) only for an open period: a period typed in the file must
    # not create that period, or its obligations, when the office has not opened it.
    stored = {}
    if period in await starting.open_periods(ctx, sheet.unit_code):
        stored = {o.form_code: o for o in await starting.owed_forms(ctx, sheet.unit_code, period)}
    if form.code not in stored or not can_edit(stored[form.code]):
        return text("chat_sheets.closed", sheet=sheet.name, period=period.label)
    if not sheet.lines:
        return text("chat_sheets.empty_sheet", sheet=sheet.name, title=form.title)
    return ""
