"""A reply to a question message answers that question, wherever the conversation is.

The person may answer question 3 by replying to the bot's message that asked it (Telegram's
reply) after the bot has moved on to question 5: the value is stored under question 3 and
the conversation goes on at question 5. The outbox keeps, for each message sent, the id the
platform gave it and the question it asks (`asks`), so the reply names its question.
A reply that cannot be placed with certainty (a question of another report or period, of a
sent or locked report, a message the bot no longer knows) stores nothing and says why.
"""

from __future__ import annotations

from domain.obligations import can_edit
from domain.periods import parse_period
from domain.values import ValueRejected, encode, parse_value
from handlers import answering
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.display import show_value
from handlers.events import Incoming, Reply
from handlers.flagged import flag
from handlers.obligated import Obligated, frozen, load, store_value
from handlers.problems import describe_value_problem
from handlers.repeats import ASKS, release, stored_elsewhere
from templates.catalog import text

# Where a reply naming a message the bot does not know could land on the wrong question.
_TAKING_VALUES = (Awaiting.VALUE, Awaiting.REPEAT_CHOICE)
_SHOWN_TYPED = 80


async def answer(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply] | None:
    """The replies to a text that replies to one of the bot's messages, or None when the
    reply says nothing about where the text goes (a message that asks no question, or the
    current question's own message): then it is handled as if typed."""
    sender = event.sender
    message = await ctx.tx.outbox.sent_as(sender.channel, sender.chat_id, event.reply_to)
    if message is None:
        return await _unknown(ctx, event, state)
    asked = message.payload.get(ASKS)
    if not isinstance(asked, str):
        return None
    unit, form_code, period_key, key = [*asked.split("|"), "", "", ""][:4]
    form = ctx.catalog.forms.get(form_code)
    if unit not in units or form is None or not form.has_field(key):
        return await _unknown(ctx, event, state)
    if (unit, form_code, period_key) != (state.unit, state.form, state.period):
        return [await _elsewhere(ctx, event, unit, form_code, period_key, key)]
    work = await load(ctx, state)
    if frozen(work, state):
        why = "submitted" if can_edit(work.obligation) else "locked"
        return [_not_taken(event, work.form.title, work.period.label, form.position(key), why)]
    if state.awaiting in _TAKING_VALUES and form.fields[state.index].key == key:
        # The current question's own message: answered as usual, and certainly not a copy
        # of the question before (see handlers/repeats.py).
        release(state)
        state.maybe_twice = ""
        return await answering.answer_current(ctx, event, state, work)
    lines = [line for line in event.text.splitlines() if line.strip()]
    if lines and answering.looks_pasted(work.form, lines[0]):
        return None  # "3: 12" lines name their questions themselves
    return [await _store(ctx, event, state, work, key)]


async def _store(
    ctx: HandlerContext, event: Incoming, state: ConversationState, work: Obligated, key: str
) -> Reply:
    """Store the value under question `key`, then go on where the conversation was."""
    chat_id = event.sender.chat_id
    field = work.form.field(key)
    number = work.form.position(key)
    release(state)  # a value held for another question is dropped: the person moved on
    try:
        value = parse_value(field, event.text)
    except ValueRejected as rejected:
        reason = describe_value_problem(field, rejected.problem)
        return await _resume(
            ctx, chat_id, state, work, [text("chat.reply_bad", number=number, reason=reason)]
        )
    stored_elsewhere(state, field)
    await store_value(ctx, work, field, encode(value), event)
    total = len(work.form.fields)
    notes = [text("chat.recorded_for", value=show_value(field, value), number=number, total=total)]
    keys = [key]
    if state.awaiting is Awaiting.FLAGGED and state.flagged and state.flagged != key:
        keys.append(state.flagged)  # still waiting on keep or fix
    elif state.awaiting in (Awaiting.CONFIRM_SUBMIT, Awaiting.EDIT_NUMBER):
        state.back_to_summary = True  # once a flagged value is settled, the summary again
    flagged = flag(chat_id, work, state, keys, notes)
    if flagged is not None:
        return flagged
    return await _resume(ctx, chat_id, state, work, notes)


async def _resume(
    ctx: HandlerContext, chat_id: str, state: ConversationState, work: Obligated, notes: list[str]
) -> Reply:
    """The conversation's current step again, after `notes`: the question it was asking,
    the summary, the explanation it waits for; questions answered are not asked again."""
    if state.awaiting is Awaiting.FLAGGED:
        # Still waiting on keep or fix, unless the answer just stored settled it (the
        # relation holds again): then on to the next question not answered.
        keys = [state.flagged] if work.form.has_field(state.flagged) else []
        flagged = flag(chat_id, work, state, keys, notes)
        if flagged is not None:
            return flagged
        return await answering.ask_next(ctx, chat_id, state, work, notes, state.index + 1)
    if state.awaiting in (Awaiting.CONFIRM_SUBMIT, Awaiting.EDIT_NUMBER):
        state.back_to_summary = False
        return answering.summary_reply(chat_id, work, state, notes)
    if state.awaiting is Awaiting.EXPLANATION and work.form.has_field(state.explain_field):
        label = work.form.field(state.explain_field).title
        return Reply(
            chat_id=chat_id, text="\n\n".join([*notes, text("chat.explain_ask", label=label)])
        )
    if state.awaiting is Awaiting.VALUE:
        return answering.question_reply(chat_id, work, state.index, notes, state)
    return await answering.ask_next(ctx, chat_id, state, work, notes, state.index)


async def _unknown(
    ctx: HandlerContext, event: Incoming, state: ConversationState
) -> list[Reply] | None:
    """A reply to a message the bot cannot place (sent before it kept ids, purged, a copy
    sent twice, a question no longer in the form): while a value is awaited it is not taken,
    as it may answer another question; otherwise the text goes where it would anyway."""
    if not state.in_obligation or state.awaiting not in _TAKING_VALUES:
        return None
    work = await load(ctx, state)
    if frozen(work, state):
        return None
    release(state)
    note = text("chat.reply_unknown", typed=_shown(event.text))
    return [answering.question_reply(event.sender.chat_id, work, state.index, [note], state)]


async def _elsewhere(
    ctx: HandlerContext, event: Incoming, unit: str, form_code: str, period_key: str, key: str
) -> Reply:
    """A question of another report than the one the conversation works on: not taken."""
    form = ctx.catalog.forms[form_code]
    try:
        period = parse_period(period_key)
    except ValueError:
        return Reply(
            chat_id=event.sender.chat_id, text=text("chat.reply_unknown", typed=_shown(event.text))
        )
    stored = await ctx.tx.obligations.get(unit, form_code, period.key)
    why = "other"
    if stored is not None and not can_edit(stored):
        why = "locked"
    elif stored is not None and stored.state.is_done:
        why = "submitted"
    return _not_taken(event, form.title, period.label, form.position(key), why)


def _not_taken(event: Incoming, form_title: str, period: str, number: int, why: str) -> Reply:
    body = text(
        "chat.reply_not_taken",
        typed=_shown(event.text),
        form_title=form_title,
        period=period,
        number=number,
        why=why,
    )
    return Reply(chat_id=event.sender.chat_id, text=body)


def _shown(typed: str) -> str:
    typed = typed.strip()
    return typed[:_SHOWN_TYPED] + ("…" if len(typed) > _SHOWN_TYPED else "")
