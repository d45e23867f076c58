"""Giving the figures in chat: one question at a time or pasted, consistency, summary,
submission (the obligation itself, loaded and written, is handlers/obligated.py)."""

from __future__ import annotations

import re

from domain.calendar import deadline_at, period_window
from domain.digits import small_int
from domain.forms import Field, FieldType, Form
from domain.obligations import ObligationState, can_edit, obligations_owed, state_on_submit
from domain.validation import missing_required
from domain.values import ValueRejected, encode, parse_value
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.display import describe_problem, show_stored, show_value
from handlers.events import Choice, Incoming, Reply, named_choice
from handlers.flagged import flag
from handlers.obligated import (
    Obligated,
    frozen,
    load,
    set_state,
    store_explanation,
    store_value,
)
from handlers.problems import describe_value_problem
from handlers.repeats import ask_which, asks, is_repeat, release, stored_elsewhere
from handlers.unit_buttons import Explain, Move, Navigate, Pick, Summary, SummaryAction
from templates.catalog import text

# "3: 1.924.862", "luot_quet = 1924862", "3. 1924862", "3) 1924862". A dot or parenthesis
# counts only when a space follows: "2.386" is a number (two thousand three hundred...).
_PASTED_LINE = re.compile(
    r"^\s*(?P<key>\d{1,3}|[a-z][a-z0-9_]*)\s*(?:[:=]|[.)]\s)\s*(?P<value>.*?)\s*$"
)
MAX_MESSAGE_LENGTH = 4000


# ---------------------------------------------------------------- asking


def question_reply(
    chat_id: str, work: Obligated, index: int, notes: list[str], state: ConversationState
) -> Reply:
    """The message asking question `index`, after any notes about the previous answer."""
    field = work.form.fields[index]
    previous = work.previous.get(field.key)
    current = work.answers.get(field.key)
    body = text(
        "chat.question",
        number=index + 1,
        total=len(work.form.fields),
        form_title=work.form.title,
        question=field.question,
        measure=field.measure,
        choices=list(field.choices),
        previous=show_stored(field, previous.value) if previous and field.kind == "stock" else "",
        current=show_stored(field, current.value) if current else "",
        optional=not field.required,
    )
    buttons: list[tuple[Choice, ...]] = []
    if field.choices:
        picks = enumerate(field.choices, 1)
        buttons.append(tuple(named_choice(choice, Pick(n).pack()) for n, choice in picks))
    nav = []
    if index > 0:
        nav.append(Choice(text("chat.button_back"), Navigate(Move.BACK).pack()))
    if current and current.value is not None:
        nav.append(Choice(text("chat.button_keep"), Navigate(Move.KEEP).pack()))
    elif not field.required:
        nav.append(Choice(text("chat.button_skip"), Navigate(Move.SKIP).pack()))
    nav.append(Choice(text("chat.button_pause"), Navigate(Move.PAUSE).pack()))
    buttons.append(tuple(nav))
    return Reply(
        chat_id=chat_id,
        text="\n\n".join([*notes, body]),
        choices=tuple(buttons),
        extra=asks(work, field),
    )


def next_unanswered(work: Obligated, start: int, skipped: list[str]) -> int | None:
    """The first question from `start` on without an answer and not skipped; None if none."""
    fields = work.form.fields
    for index in range(start, len(fields)):
        key = fields[index].key
        answer = work.answers.get(key)
        if (answer is None or answer.value is None) and key not in skipped:
            return index
    return None


async def ask_next(
    ctx: HandlerContext,
    chat_id: str,
    state: ConversationState,
    work: Obligated,
    notes: list[str],
    start: int,
) -> Reply:
    """Ask the next unanswered question from `start`, or show the summary when none is left."""
    if state.back_to_summary:
        state.back_to_summary = False
        return summary_reply(chat_id, work, state, notes)
    index = next_unanswered(work, start, state.skipped)
    if index is None:
        index = next_unanswered(work, 0, state.skipped)
    if index is None:
        return summary_reply(chat_id, work, state, notes)
    state.index = index
    state.awaiting = Awaiting.VALUE
    return question_reply(chat_id, work, index, notes, state)


# ---------------------------------------------------------------- answering


async def answer_current(
    ctx: HandlerContext, event: Incoming, state: ConversationState, work: Obligated | None = None
) -> list[Reply]:
    """Take a typed answer to the current question (or several pasted lines); `work` is the
    conversation's obligation if the caller has just loaded it in this transaction."""
    chat_id = event.sender.chat_id
    # Typing while asked which question a repeated value is for: the held value is dropped
    # (the person has moved on) and what they typed answers the current question.
    release(state)
    if work is None:
        work = await load(ctx, state)
    if frozen(work, state):
        return [locked_or_done_reply(chat_id, work)]
    if len(event.text) > MAX_MESSAGE_LENGTH:
        reply = question_reply(chat_id, work, state.index, [text("chat.too_long")], state)
        return [reply]
    lines = [line for line in event.text.splitlines() if line.strip()]
    field = work.form.fields[state.index]
    first_is_pasted = bool(lines) and looks_pasted(work.form, lines[0])
    # A text question takes paragraphs as they come; only "n: value" lines are a paste.
    free_text = field.type is FieldType.TEXT and not first_is_pasted
    if not free_text and (len(lines) > 1 or first_is_pasted):
        return [await take_pasted(ctx, event, state, work, lines)]
    try:
        value = parse_value(field, event.text)
    except ValueRejected as rejected:
        notes = [describe_value_problem(field, rejected.problem)]
        return [question_reply(chat_id, work, state.index, notes, state)]
    if is_repeat(work, state, field, encode(value)):
        return [ask_which(chat_id, work, state, event.text, show_value(field, value))]
    stored_elsewhere(state, field)
    await store_value(ctx, work, field, encode(value), event)
    notes = [text("chat.recorded", value=show_value(field, value))]
    # A flagged value is questioned in a message of its own; the flow waits on it.
    flagged = flag(chat_id, work, state, [field.key], notes)
    if flagged is not None:
        return [flagged]
    return [await ask_next(ctx, chat_id, state, work, notes, state.index + 1)]


async def still_flagged(
    ctx: HandlerContext, chat_id: str, state: ConversationState, work: Obligated
) -> Reply:
    """Anything typed while a value is flagged is taken for nothing (a hurried answer to the
    next question must not land on the flagged one): the flagged value is questioned again."""
    note = text("chat.flagged_waiting", label=_title(work, state.flagged))
    flagged = flag(chat_id, work, state, [state.flagged], [note])
    if flagged is not None:
        return flagged
    return await ask_next(ctx, chat_id, state, work, [], state.index + 1)


def _title(work: Obligated, key: str) -> str:
    return work.form.field(key).title if work.form.has_field(key) else key


def looks_pasted(form: Form, line: str) -> bool:
    """Whether a line names a question of the form before its value ("3: 12", "tong = 5")."""
    match = _PASTED_LINE.match(line)
    return bool(match) and _field_for(form, match["key"]) is not None if match else False


def _field_for(form: Form, key: str) -> Field | None:
    if key.isdecimal():
        number = small_int(key)
        return form.fields[number - 1] if number and number <= len(form.fields) else None
    return form.field(key) if form.has_field(key) else None


async def take_pasted(
    ctx: HandlerContext,
    event: Incoming,
    state: ConversationState,
    work: Obligated,
    lines: list[str],
) -> Reply:
    """Store every line that names a field and holds a good value; say what was not taken."""
    taken: list[str] = []
    refused: list[str] = []
    touched: list[str] = []
    for line in lines:
        match = _PASTED_LINE.match(line)
        field = _field_for(work.form, match["key"]) if match else None
        if match is None or field is None:
            refused.append(text("chat.paste_unknown_line", line=line[:80]))
            continue
        try:
            value = parse_value(field, match["value"])
        except ValueRejected as rejected:
            reason = describe_value_problem(field, rejected.problem)
            refused.append(text("chat.paste_bad_line", line=line[:80], reason=reason))
            continue
        await store_value(ctx, work, field, encode(value), event)
        taken.append(
            text(
                "chat.paste_taken_line",
                number=work.form.position(field.key),
                label=field.title,
                value=show_value(field, value),
            )
        )
        touched.append(field.key)
    notes = [text("chat.paste_report", taken=taken, refused=refused)]
    # Checked once for all the pasted lines: the first flagged value waits for keep or fix.
    flagged = flag(event.sender.chat_id, work, state, touched, notes)
    if flagged is not None:
        return flagged
    return await ask_next(ctx, event.sender.chat_id, state, work, notes, 0)


async def explain(ctx: HandlerContext, event: Incoming, state: ConversationState) -> list[Reply]:
    """Take the explanation of a flagged figure, then go on where the person was."""
    work = await load(ctx, state)
    chat_id = event.sender.chat_id
    if not can_edit(work.obligation):  # locked while the person was writing
        return [locked_or_done_reply(chat_id, work)]
    field = work.form.field(state.explain_field)
    explanation = event.text.strip()
    if not explanation or len(explanation) > 500:
        return [Reply(chat_id=chat_id, text=text("chat.explain_bad", limit=500))]
    await store_explanation(ctx, work, field, explanation, event)
    state.explain_field = ""
    notes = [text("chat.explained", label=field.title)]
    if state.flagged:
        # Kept: the flagged value may still be questioned for another reason.
        flagged = flag(chat_id, work, state, [state.flagged], notes)
        if flagged is not None:
            return [flagged]
        return [await ask_next(ctx, chat_id, state, work, notes, state.index + 1)]
    return [await ask_next(ctx, chat_id, state, work, notes, state.index)]


# ---------------------------------------------------------------- summary and submission


def summary_reply(
    chat_id: str, work: Obligated, state: ConversationState, notes: list[str]
) -> Reply:
    """All answers, the open problems and what is missing, with Send / Edit."""
    state.awaiting = Awaiting.CONFIRM_SUBMIT
    rows = []
    for number, field in enumerate(work.form.fields, 1):
        answer = work.answers.get(field.key)
        shown = show_stored(field, answer.value) if answer else ""
        rows.append(
            {
                "number": number,
                "label": field.title,
                "value": shown[:80] + ("…" if len(shown) > 80 else ""),
                "explanation": answer.explanation if answer else None,
            }
        )
    problems = work.open_problems()
    missing = missing_required(work.form, work.stored)
    body = text(
        "chat.summary",
        form_title=work.form.title,
        period=work.period.label,
        unit=work.unit_code,
        rows=rows,
        problems=[describe_problem(work.form, p) for p in problems],
        missing=[work.form.position(key) for key in missing],
    )
    buttons: list[tuple[Choice, ...]] = [
        tuple(
            Choice(
                text("chat.button_explain", label=work.form.field(p.field_key).title),
                Explain(p.field_key).pack(),
            )
            for p in problems[:3]
        ),
        (
            Choice(text("chat.button_submit"), Summary(SummaryAction.SEND).pack()),
            Choice(text("chat.button_edit"), Summary(SummaryAction.EDIT).pack()),
        ),
    ]
    return Reply(
        chat_id=chat_id,
        text="\n\n".join([*notes, body]),
        choices=tuple(row for row in buttons if row),
    )


async def submit(
    ctx: HandlerContext, event: Incoming, state: ConversationState, work: Obligated | None = None
) -> list[Reply]:
    """Hand the obligation in, if nothing is missing and every problem is fixed or explained;
    `work` is the obligation when the caller has loaded it already."""
    chat_id = event.sender.chat_id
    if work is None:
        work = await load(ctx, state)
    if not can_edit(work.obligation):
        return [locked_or_done_reply(chat_id, work)]
    if work.obligation.state.is_done:
        return [Reply(chat_id=chat_id, text=text("chat.already_submitted"))]
    missing = missing_required(work.form, work.stored)
    if missing:
        note = text("chat.submit_missing", numbers=[work.form.position(k) for k in missing])
        return [await ask_next(ctx, chat_id, state, work, [note], 0)]
    if work.open_problems():
        return [summary_reply(chat_id, work, state, [text("chat.submit_problems")])]
    deadline = deadline_at(work.period, ctx.catalog.regime)
    first_submitted = work.obligation.submitted_at or ctx.now
    await set_state(ctx, work, state_on_submit(first_submitted, deadline))
    state.awaiting = Awaiting.NOTHING
    state.revising = False  # sent again: a later change needs /sua again
    receipt = text(
        "chat.receipt",
        form_title=work.form.title,
        period=work.period.label,
        at=ctx.now,
        zone=ctx.catalog.zone,
        late=work.obligation.state is ObligationState.SUBMITTED_LATE,
        remaining=await _still_owed(ctx, work),
    )
    return [Reply(chat_id=chat_id, text=receipt)]


async def _still_owed(ctx: HandlerContext, work: Obligated) -> list[str]:
    """Titles of the unit's other forms of the period not sent yet (for the receipt)."""
    unit = ctx.catalog.units.get(work.unit_code)
    if unit is None:
        return []
    cutoff = period_window(work.period, ctx.catalog.regime)[1]
    titles: list[str] = []
    for owed in obligations_owed([unit], work.period, cutoff, ctx.catalog.forms):
        form = ctx.catalog.forms.get(owed.form_code)
        if form is None or owed.form_code == work.form.code:
            continue
        stored = await ctx.tx.obligations.get(work.unit_code, owed.form_code, work.period.key)
        if stored is None or (not stored.state.is_done and can_edit(stored)):
            titles.append(form.title)
    return titles


def locked_or_done_reply(chat_id: str, work: Obligated) -> Reply:
    """Why the answers cannot change now."""
    if not can_edit(work.obligation):
        return Reply(chat_id=chat_id, text=text("chat.locked", period=work.period.label))
    return Reply(chat_id=chat_id, text=text("chat.already_submitted"))


async def reopen(ctx: HandlerContext, event: Incoming, state: ConversationState) -> list[Reply]:
    """/sua: show an obligation's answers to change them, until the period is locked; a sent
    report stays sent until an answer changes."""
    chat_id = event.sender.chat_id
    work = await load(ctx, state)
    if not can_edit(work.obligation):
        return [locked_or_done_reply(chat_id, work)]
    state.revising = True
    note = text("chat.reopened", form_title=work.form.title, period=work.period.label)
    return [summary_reply(chat_id, work, state, [note])]


def pick_question(work: Obligated, typed: str) -> int | None:
    """The 0-based index of the question number typed after 'Sửa'."""
    typed = typed.strip().removeprefix("câu").strip()
    number = small_int(typed)
    if number is not None and 1 <= number <= len(work.form.fields):
        return number - 1
    return None
