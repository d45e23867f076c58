"""One entry point for every chat event: who is asking, what they may do, what to answer."""

from __future__ import annotations

from dataclasses import replace

from domain.calendar import current_period, period_window
from domain.obligations import can_edit, obligations_owed
from handlers import answering, jobs, office, registration, tickets
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import EventKind, Incoming, Reply, named_choice
from templates.catalog import text

# Words that work like the buttons, for channels without buttons and for typing habits.
TYPED_BUTTONS = {
    "quay lại": "nav:back",
    "bỏ qua": "nav:skip",
    "tạm dừng": "nav:pause",
    "giữ nguyên": "nav:keep",
    "gửi báo cáo": "sum:send",
    "gửi": "sum:send",
    "sửa": "sum:edit",
}


async def handle(event: Incoming, ctx: HandlerContext) -> list[Reply]:
    """Answer one event; conversation state is read and written in the same transaction."""
    sender = event.sender
    stored = await ctx.tx.conversations.get(sender.channel, sender.user_id)
    state = ConversationState.from_dict(stored)
    replies = await _dispatch(_numbered_choice(event, state), ctx, state)
    replies = _remember_choices(replies, sender.chat_id, state)
    new = state.to_dict()
    if new != stored:
        await ctx.tx.conversations.put(sender.channel, sender.user_id, new, ctx.now)
    return [*replies, *ctx.notices]


def _numbered_choice(event: Incoming, state: ConversationState) -> Incoming:
    """A typed "2" picks the second choice last shown (Zalo has no buttons; same on Telegram)."""
    typed = event.text.strip()
    if event.kind is not EventKind.TEXT or not typed.isdecimal() or not state.choices:
        return event
    if state.numbers_are_answers or not 1 <= int(typed) <= len(state.choices):
        return event
    return replace(event, kind=EventKind.BUTTON, button=state.choices[int(typed) - 1])


def _remember_choices(replies: list[Reply], chat_id: str, state: ConversationState) -> list[Reply]:
    """Note the choices of the last reply to the sender, so a typed number can pick one."""
    mine = [i for i, r in enumerate(replies) if r.chat_id == chat_id and r.choices]
    if not mine:
        if any(r.chat_id == chat_id for r in replies):
            # The explain word must not pick a figure whose choice is no longer shown.
            state.choices = [data for data in state.choices if not data.startswith("why:")]
        return replies
    last = mine[-1]
    if state.numbers_are_answers:
        # Numbers are answers here; only the explain choice stays reachable, by its word.
        state.choices = [c.data for c in replies[last].all_choices() if c.data.startswith("why:")]
        replies = list(replies)
        replies[last] = replace(replies[last], numbered=False)
    else:
        state.choices = [c.data for c in replies[last].all_choices()]
    return replies


async def _dispatch(event: Incoming, ctx: HandlerContext, state: ConversationState) -> list[Reply]:
    sender = event.sender
    chat_id = sender.chat_id
    if event.kind is EventKind.COMMAND and event.command == "start" and event.argument:
        return await registration.start_with_code(ctx, event)
    is_office = ctx.is_office(sender.channel, sender.user_id)
    units = list(ctx.acting_for) or await ctx.tx.focal_points.units_of(
        sender.channel, sender.user_id
    )
    if units:
        # Whoever writes to the bot can be reached again (they had blocked it before).
        await ctx.tx.focal_points.mark_reachable(sender.channel, sender.chat_id)
    if is_office and event.kind is EventKind.COMMAND and event.command in office.COMMANDS:
        return await office.COMMANDS[event.command](ctx, event)
    if is_office and event.kind is EventKind.BUTTON:
        answered = await office.button(ctx, event)
        if answered is not None:
            return answered
    if event.kind is EventKind.DOCUMENT:
        # Only the office imports ticket lists; a unit's file is refused, a stranger's ignored.
        if is_office:
            return await jobs.import_tickets_file(ctx, event)
        if units:
            return [Reply(chat_id=chat_id, text=text("chat_tickets.import_refused"))]
        return [registration.stranger_reply(event)]
    if not units:
        if is_office:
            return [Reply(chat_id=chat_id, text=text("chat.office_help"))]
        return [registration.stranger_reply(event)]
    # A unit dropped from this person (or from the catalog) ends the conversation.
    if state.in_obligation and (state.unit not in units or state.form not in ctx.catalog.forms):
        state.reset()
    if event.kind is EventKind.COMMAND:
        return await _focal_command(event, ctx, state, units)
    if event.kind is EventKind.BUTTON and tickets.is_ticket_button(event.button):
        return await tickets.button(ctx, event, state, units)
    if event.kind is EventKind.TEXT and tickets.awaits_ticket(state):
        return await tickets.typed(ctx, event, state, units)
    if event.kind is EventKind.BUTTON:
        return await _button(event, ctx, state, units, event.button)
    if event.kind is EventKind.TEXT:
        typed = _typed_button(event.text, state)
        if typed and state.in_obligation:
            return await _button(event, ctx, state, units, typed)
        return await _text(event, ctx, state, units)
    return [Reply(chat_id=chat_id, text=text("chat.unsupported"))]


def explain_word() -> str:
    """The word typed to explain a flagged figure, where there is no button to press."""
    return text("chat.word_explain")


def _typed_button(typed: str, state: ConversationState) -> str:
    """The button a typed word stands for ("" if none): fixed words, or the explain word for
    the flagged figure whose explain choice was shown last."""
    word = typed.strip().casefold()
    if word in TYPED_BUTTONS:
        return TYPED_BUTTONS[word]
    if word == explain_word().casefold():
        return next((data for data in state.choices if data.startswith("why:")), "")
    return ""


async def _focal_command(
    event: Incoming, ctx: HandlerContext, state: ConversationState, units: list[str]
) -> list[Reply]:
    chat_id = event.sender.chat_id
    if event.command == "baocao":
        return await _begin(event, ctx, state, units)
    if event.command == tickets.COMMAND:
        return await tickets.start(ctx, event, state, units)
    if event.command == "sua":
        if state.in_obligation:
            current = (await answering.load(ctx, state)).obligation
            if current.submitted_at is not None or not can_edit(current):
                return await answering.reopen(ctx, event, state)
        # Not on a sent report (or on a form still being filled): find the one sent last.
        return await _begin(event, ctx, state, units, reopen=True)
    if event.command == "start" and len(units) == 1:
        return [Reply(chat_id=chat_id, text=registration.greeting(ctx, units[0]))]
    return [Reply(chat_id=chat_id, text=text("chat.help"))]


async def _begin(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    units: list[str],
    reopen: bool = False,
) -> list[Reply]:
    """Start or resume the person's current obligation, asking for the unit when several."""
    chat_id = event.sender.chat_id
    usable = [code for code in units if code in ctx.catalog.units]
    if state.in_obligation and state.period == current_period(ctx.now, ctx.catalog.regime).key:
        usable = [state.unit]
    if len(usable) > 1:
        state.awaiting = Awaiting.UNIT_CHOICE
        choices = tuple(
            (named_choice(ctx.catalog.units[code].name, f"unit:{code}"),) for code in usable
        )
        return [Reply(chat_id=chat_id, text=text("chat.pick_unit"), choices=choices)]
    if not usable:
        return [registration.stranger_reply(event)]
    return await _start_unit(event, ctx, state, usable[0], reopen)


async def _start_unit(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    unit_code: str,
    reopen: bool = False,
) -> list[Reply]:
    chat_id = event.sender.chat_id
    regime = ctx.catalog.regime
    period = current_period(ctx.now, regime)
    unit = ctx.catalog.units[unit_code]
    cutoff = period_window(period, regime)[1]
    owed = [o for o in obligations_owed([unit], period, cutoff) if o.form_code in ctx.catalog.forms]
    if not owed:
        return [Reply(chat_id=chat_id, text=text("chat.nothing_owed", period=period.label))]
    await ctx.tx.obligations.ensure(owed)
    chosen = None
    stored_all = [await ctx.tx.obligations.get(unit_code, o.form_code, period.key) for o in owed]
    if reopen:
        sent = [s for s in stored_all if s is not None and s.submitted_at is not None]
        if sent:
            chosen = max(sent, key=lambda s: s.submitted_at or ctx.now).form_code
        elif all(s is None or can_edit(s) for s in stored_all):
            return [Reply(chat_id=chat_id, text=text("chat.nothing_to_edit", period=period.label))]
    else:
        for obligation, stored in zip(owed, stored_all, strict=True):
            if stored is None or not stored.state.is_done:
                chosen = obligation.form_code
                break
    if chosen is None and not reopen:
        return [Reply(chat_id=chat_id, text=text("chat.all_submitted", period=period.label))]
    same = state.unit == unit_code and state.form == (chosen or owed[0].form_code)
    if not same or state.period != period.key:
        state.reset()
    state.unit, state.form, state.period = unit_code, chosen or owed[0].form_code, period.key
    if reopen:
        return await answering.reopen(ctx, event, state)
    work = await answering.load(ctx, state)
    if not can_edit(work.obligation):  # the period is locked: no question to ask
        return [answering.locked_or_done_reply(chat_id, work)]
    intro = text(
        "chat.begin",
        unit=unit.name,
        form_title=work.form.title,
        period=period.label,
        answered=sum(1 for a in work.answers.values() if a.value is not None),
        total=len(work.form.fields),
    )
    return [await answering.ask_next(ctx, chat_id, state, work, [intro], state.index)]


async def _button(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    units: list[str],
    data: str,
) -> list[Reply]:
    chat_id = event.sender.chat_id
    action, _, value = data.partition(":")
    if action == "unit":
        if value not in units:  # a forged or stale button: never reach another unit
            return [Reply(chat_id=chat_id, text=text("chat.not_your_unit"))]
        return await _start_unit(event, ctx, state, value)
    if not state.in_obligation:
        return [Reply(chat_id=chat_id, text=text("chat.stale_button"))]
    work = await answering.load(ctx, state)
    if action == "nav":
        return await _navigate(event, ctx, state, work, value)
    if action == "pick" and state.awaiting is Awaiting.VALUE:
        field = work.form.fields[state.index]
        if value.isdecimal() and 1 <= int(value) <= len(field.choices):
            typed = replace(event, kind=EventKind.TEXT, text=value)
            return await answering.answer_current(ctx, typed, state)
    if action == "why" and work.form.has_field(value):
        state.awaiting = Awaiting.EXPLANATION
        state.explain_field = value
        label = work.form.field(value).title
        return [Reply(chat_id=chat_id, text=text("chat.explain_ask", label=label))]
    if action == "sum" and value == "send":
        return await answering.submit(ctx, event, state)
    if action == "sum" and value == "edit":
        if work.obligation.state.is_done:
            return await answering.reopen(ctx, event, state)
        state.awaiting = Awaiting.EDIT_NUMBER
        return [Reply(chat_id=chat_id, text=text("chat.edit_which", total=len(work.form.fields)))]
    return [Reply(chat_id=chat_id, text=text("chat.stale_button"))]


async def _navigate(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    work: answering.Obligated,
    move: str,
) -> list[Reply]:
    chat_id = event.sender.chat_id
    if move == "pause":
        state.awaiting = Awaiting.NOTHING
        return [Reply(chat_id=chat_id, text=text("chat.paused"))]
    if work.obligation.state.is_done:
        return [answering.locked_or_done_reply(chat_id, work)]
    if move == "back":
        state.index = max(0, state.index - 1)
        state.awaiting = Awaiting.VALUE
        return [answering.question_reply(chat_id, work, state.index, [], state)]
    field = work.form.fields[state.index]
    if move == "skip" and not field.required:
        if field.key not in state.skipped:
            state.skipped.append(field.key)
        note = text("chat.skipped", label=field.title)
        return [await _after(ctx, chat_id, state, work, note)]
    if move == "keep" and field.key in work.answers:
        note = text("chat.kept", label=field.title)
        return [await _after(ctx, chat_id, state, work, note)]
    return [answering.question_reply(chat_id, work, state.index, [], state)]


async def _after(
    ctx: HandlerContext,
    chat_id: str,
    state: ConversationState,
    work: answering.Obligated,
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
        return [Reply(chat_id=chat_id, text=text("chat.help"))]
    if state.awaiting is Awaiting.EXPLANATION:
        return await answering.explain(ctx, event, state)
    work = await answering.load(ctx, state)
    if state.awaiting is Awaiting.EDIT_NUMBER:
        index = answering.pick_question(work, event.text)
        if index is None:
            reply = text("chat.edit_which", total=len(work.form.fields))
            return [Reply(chat_id=chat_id, text=reply)]
        state.index, state.awaiting, state.back_to_summary = index, Awaiting.VALUE, True
        return [answering.question_reply(chat_id, work, index, [], state)]
    if state.awaiting is Awaiting.CONFIRM_SUBMIT:
        # Pasted corrections work on the summary too, until submitted or locked.
        if work.obligation.state.is_done or not can_edit(work.obligation):
            return [answering.locked_or_done_reply(chat_id, work)]
        state.back_to_summary = True
        lines = [line for line in event.text.splitlines() if line.strip()]
        return [await answering.take_pasted(ctx, event, state, work, lines)]
    return await answering.answer_current(ctx, event, state, work)
