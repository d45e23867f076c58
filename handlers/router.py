"""One entry point for every chat event: who is asking, what they may do, what to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from domain.digits import small_int
from domain.obligations import can_edit
from handlers import (
    answering,
    commands,
    form_file,
    jobs,
    notices,
    office,
    registration,
    repeats,
    replied,
    starting,
    tickets,
)
from handlers.buttons import Button, parse
from handlers.commands import Audience, Caller
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import EventKind, Incoming, Reply
from handlers.flagged import keep_target
from handlers.obligated import Obligated, frozen, load
from handlers.office_buttons import OfficeButton
from handlers.typed_words import typed_button
from handlers.unit_buttons import (
    EditForm,
    Explain,
    Fix,
    Move,
    Navigate,
    ObligationButton,
    Pick,
    Repeat,
    RepeatPlace,
    StartUnit,
    Summary,
    SummaryAction,
    TicketButton,
)
from templates.catalog import speaking_to, text


async def handle(event: Incoming, ctx: HandlerContext) -> list[Reply]:
    """Answer one event; conversation state is read and written in the same transaction."""

    async def answer(state: ConversationState) -> list[Reply]:
        return await _dispatch(_numbered_choice(event, state), ctx, state)

    return await _with_state(event, ctx, answer)


async def handle_filled(
    event: Incoming, ctx: HandlerContext, sheets: list[form_file.FilledSheet]
) -> list[Reply]:
    """Take a focal point's filled form file (read in a job) as their pasted answers."""

    async def answer(state: ConversationState) -> list[Reply]:
        caller = await commands.caller_of(event, ctx)
        if not caller.units:
            return [registration.stranger_reply(event)]
        return await form_file.take_filled(ctx, event, state, list(caller.units), sheets)

    return await _with_state(event, ctx, answer)


async def _with_state(
    event: Incoming,
    ctx: HandlerContext,
    answer: Callable[[ConversationState], Awaitable[list[Reply]]],
) -> list[Reply]:
    sender = event.sender
    stored = await ctx.tx.conversations.get(sender.channel, sender.user_id)
    state = ConversationState.from_dict(stored)
    with speaking_to(sender.channel):
        replies = await answer(state)
    replies = _remember_choices(replies, sender.chat_id, state)
    new = state.to_dict()
    if new != stored:
        await ctx.tx.conversations.put(sender.channel, sender.user_id, new, ctx.now)
    return [*replies, *ctx.notices]


def _numbered_choice(event: Incoming, state: ConversationState) -> Incoming:
    """A typed "2" picks the second choice last shown (Zalo has no buttons; same on Telegram);
    on the summary it names a question to fix, never an action."""
    number = small_int(event.text) if event.kind is EventKind.TEXT else None
    if number is None or not state.choices:
        return event
    if _numbers_are_fields(state) or not 1 <= number <= len(state.choices):
        return event
    return replace(event, kind=EventKind.BUTTON, button=state.choices[number - 1])


def _remember_choices(replies: list[Reply], chat_id: str, state: ConversationState) -> list[Reply]:
    """Note the choices of the last reply to the sender, so a typed number can pick one."""
    mine = [i for i, r in enumerate(replies) if r.chat_id == chat_id and r.choices]
    if not mine:
        if any(r.chat_id == chat_id for r in replies):
            # The explain word must not pick a figure whose choice is no longer shown.
            state.choices = [data for data in state.choices if not _explains(data)]
        return replies
    last = mine[-1]
    if _numbers_are_fields(state):
        # Numbers are answers or questions here; only the explain choice stays reachable,
        # by its word.
        state.choices = [c.data for c in replies[last].all_choices() if _explains(c.data)]
        replies = list(replies)
        replies[last] = replace(replies[last], numbered=False)
    else:
        state.choices = [c.data for c in replies[last].all_choices()]
    return replies


def _numbers_are_fields(state: ConversationState) -> bool:
    """Whether a typed number means a question (its answer, or on the summary the question to
    fix), so that the choices shown are drawn as words and no number picks one."""
    return state.numbers_are_answers or state.awaiting is Awaiting.CONFIRM_SUBMIT


def _explains(data: str) -> bool:
    return isinstance(parse(data), Explain)


async def _dispatch(event: Incoming, ctx: HandlerContext, state: ConversationState) -> list[Reply]:
    sender = event.sender
    grouped = notices.in_group(event, ctx, state)
    if grouped is not None:
        return grouped
    if event.kind is EventKind.UNREADABLE:
        return notices.unreadable(event, ctx, state)
    caller = await commands.caller_of(event, ctx)
    # A unit dropped from this person (or from the catalog) ends the conversation.
    dropped = state.unit not in caller.units or state.form not in ctx.catalog.forms
    if caller.units and state.in_obligation and dropped:
        state.reset()
    if event.kind is EventKind.COMMAND:
        return await commands.dispatch(ctx, event, state, caller)
    if event.kind is EventKind.BUTTON:
        return await _pressed(event, ctx, state, caller, parse(event.button))
    if event.kind is EventKind.DOCUMENT:
        # The office's file is a ticket list; a unit's, its filled forms (/mau); a
        # stranger's is ignored.
        if caller.is_office:
            return await jobs.import_tickets_file(ctx, event)
        if caller.units:
            return form_file.received(event)
        return [registration.stranger_reply(event)]
    if not caller.units:
        return [commands.help_reply(event, caller)]
    units = list(caller.units)
    if event.kind is EventKind.TEXT and tickets.awaits_ticket(state):
        return await tickets.typed(ctx, event, state, units)
    if event.kind is EventKind.TEXT:
        typed = typed_button(event.text, state)
        if typed and state.in_obligation:
            return await _button(event, ctx, state, units, typed)
        addressed = await replied.answer(ctx, event, state, units) if event.reply_to else None
        return addressed if addressed is not None else await _text(event, ctx, state, units)
    return [Reply(chat_id=sender.chat_id, text=text("chat.unsupported"))]


async def _pressed(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    caller: Caller,
    pressed: Button | None,
) -> list[Reply]:
    """A button: the office's for the office, a unit's for its focal points; anything else
    (forged, stale, another audience's) reaches nothing."""
    if caller.is_office and isinstance(pressed, OfficeButton):
        return await office.button(ctx, event, pressed)
    if not caller.units:
        return [commands.help_reply(event, caller)]
    if isinstance(pressed, TicketButton):
        return await tickets.button(ctx, event, pressed, state, list(caller.units))
    if isinstance(pressed, ObligationButton):
        return await _button(event, ctx, state, list(caller.units), pressed)
    return [Reply(chat_id=event.sender.chat_id, text=text("chat.stale_button"))]


async def _button(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    units: list[str],
    pressed: ObligationButton,
) -> list[Reply]:
    chat_id = event.sender.chat_id
    if isinstance(pressed, StartUnit):
        if pressed.unit_code not in units:  # a forged or stale button: never another unit
            return [Reply(chat_id=chat_id, text=text("chat.not_your_unit"))]
        return await starting.start_unit(event, ctx, state, pressed.unit_code, pressed.period)
    if isinstance(pressed, EditForm):
        if pressed.unit_code not in units:  # a forged or stale button: never another unit
            return [Reply(chat_id=chat_id, text=text("chat.not_your_unit"))]
        form_code = starting.form_code_numbered(ctx, pressed.form_number) or ""
        unit_code, period = pressed.unit_code, pressed.period
        return await starting.edit_form(event, ctx, state, unit_code, form_code, period)
    if not state.in_obligation:
        return [Reply(chat_id=chat_id, text=text("chat.stale_button"))]
    work = await load(ctx, state)
    if state.awaiting is Awaiting.FLAGGED and state.flagged:
        pressed = _on_flagged(work, state, pressed)
    if isinstance(pressed, Fix) and work.form.has_field(pressed.field_key):
        state.index = work.form.position(pressed.field_key) - 1
        state.awaiting, state.flagged = Awaiting.VALUE, ""
        note = text("chat.fix_ask", label=work.form.field(pressed.field_key).title)
        return [answering.question_reply(chat_id, work, state.index, [note], state)]
    if isinstance(pressed, Navigate):
        return await _navigate(event, ctx, state, work, pressed.move)
    if (
        isinstance(pressed, Pick)
        and state.awaiting is Awaiting.VALUE
        and _listed(work, state, pressed)
    ):
        typed = replace(event, kind=EventKind.TEXT, text=str(pressed.number))
        return await answering.answer_current(ctx, typed, state, work)
    if isinstance(pressed, Explain) and work.form.has_field(pressed.field_key):
        state.awaiting = Awaiting.EXPLANATION
        state.explain_field = pressed.field_key
        label = work.form.field(pressed.field_key).title
        return [Reply(chat_id=chat_id, text=text("chat.explain_ask", label=label))]
    if isinstance(pressed, Repeat):
        return await _repeat(event, ctx, state, work, pressed.place)
    if isinstance(pressed, Summary) and pressed.action is SummaryAction.SEND:
        return await answering.submit(ctx, event, state, work)
    if isinstance(pressed, Summary):
        if not can_edit(work.obligation):
            return [answering.locked_or_done_reply(chat_id, work)]
        state.revising = True  # the edit button of a sent report's summary: to change it
        state.awaiting = Awaiting.EDIT_NUMBER
        return [Reply(chat_id=chat_id, text=text("chat.edit_which", total=len(work.form.fields)))]
    return [Reply(chat_id=chat_id, text=text("chat.stale_button"))]


async def _repeat(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    work: Obligated,
    place: RepeatPlace,
) -> list[Reply]:
    """Which question a held value is for: the earlier one's again (dropped), or the
    current one (taken as if typed now)."""
    earlier = state.maybe_twice
    held = repeats.release(state)
    if not held:  # typed over, or pressed twice
        return [Reply(chat_id=event.sender.chat_id, text=text("chat.stale_button"))]
    if place is RepeatPlace.EARLIER:
        return [repeats.dropped(event.sender.chat_id, work, state, earlier)]
    typed = replace(event, kind=EventKind.TEXT, text=held)
    return await answering.answer_current(ctx, typed, state, work)


async def _edit_number(event: Incoming, state: ConversationState, work: Obligated) -> list[Reply]:
    """The question whose number was typed, asked again to be fixed."""
    chat_id = event.sender.chat_id
    index = answering.pick_question(work, event.text)
    if index is None:
        state.awaiting = Awaiting.EDIT_NUMBER
        return [Reply(chat_id=chat_id, text=text("chat.edit_which", total=len(work.form.fields)))]
    state.index, state.awaiting, state.back_to_summary = index, Awaiting.VALUE, True
    return [answering.question_reply(chat_id, work, index, [], state)]


def _on_flagged(
    work: Obligated, state: ConversationState, pressed: ObligationButton
) -> ObligationButton:
    """While a value is flagged, «Giữ nguyên» (typed, or under an earlier question) keeps that
    value, with an explanation, and «Sửa» asks it again: never another question's."""
    if isinstance(pressed, Navigate) and pressed.move is Move.KEEP:
        return Explain(keep_target(work, state))
    if isinstance(pressed, Fix) and not pressed.field_key:
        return Fix(state.flagged)
    return pressed


def _listed(work: Obligated, state: ConversationState, pressed: Pick) -> bool:
    """Whether the current question lists the picked choice."""
    return pressed.number <= len(work.form.fields[state.index].choices)


async def _navigate(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    work: Obligated,
    move: Move,
) -> list[Reply]:
    chat_id = event.sender.chat_id
    if move is Move.PAUSE:
        state.awaiting = Awaiting.NOTHING
        return [Reply(chat_id=chat_id, text=text("chat.paused"))]
    if frozen(work, state):
        return [answering.locked_or_done_reply(chat_id, work)]
    if move is Move.BACK:
        state.index = max(0, state.index - 1)
        state.awaiting = Awaiting.VALUE
        return [answering.question_reply(chat_id, work, state.index, [], state)]
    field = work.form.fields[state.index]
    if move is Move.SKIP and not field.required:
        if field.key not in state.skipped:
            state.skipped.append(field.key)
        note = text("chat.skipped", label=field.title)
        return [await _after(ctx, chat_id, state, work, note)]
    if move is Move.KEEP and field.key in work.answers:
        note = text("chat.kept", label=field.title)
        return [await _after(ctx, chat_id, state, work, note)]
    return [answering.question_reply(chat_id, work, state.index, [], state)]


async def _after(
    ctx: HandlerContext,
    chat_id: str,
    state: ConversationState,
    work: Obligated,
    note: str,
) -> Reply:
    """Go to the question after the current one, even if it has an answer."""
    if state.back_to_summary:
        return await answering.ask_next(ctx, chat_id, state, work, [note], 0)
    following = state.index + 1
    if following < len(work.form.fields):
        state.index = following
        state.awaiting = Awaiting.VALUE
        return answering.question_reply(chat_id, work, following, [note], state)
    return await answering.ask_next(ctx, chat_id, state, work, [note], following)


async def _text(
    event: Incoming, ctx: HandlerContext, state: ConversationState, units: list[str]
) -> list[Reply]:
    chat_id = event.sender.chat_id
    if not state.in_obligation or state.awaiting in (Awaiting.NOTHING, Awaiting.UNIT_CHOICE):
        return [Reply(chat_id=chat_id, text=commands.help_text(Audience.FOCAL_POINT))]
    if state.awaiting is Awaiting.EXPLANATION:
        return await answering.explain(ctx, event, state)
    work = await load(ctx, state)
    if state.awaiting is Awaiting.FLAGGED:
        return [await answering.still_flagged(ctx, chat_id, state, work)]
    if state.awaiting is Awaiting.EDIT_NUMBER:
        return await _edit_number(event, state, work)
    if state.awaiting is Awaiting.CONFIRM_SUBMIT:
        # Pasted corrections work on the summary too, until submitted or locked.
        if frozen(work, state):
            return [answering.locked_or_done_reply(chat_id, work)]
        state.back_to_summary = True
        if event.text.strip().isdecimal():  # a question's number, as the summary shows it
            return await _edit_number(event, state, work)
        lines = [line for line in event.text.splitlines() if line.strip()]
        return [await answering.take_pasted(ctx, event, state, work, lines)]
    return await answering.answer_current(ctx, event, state, work)
