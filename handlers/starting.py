"""Which report a person works on: /baocao and /sua, and the unit buttons that start one."""

from __future__ import annotations

from domain.calendar import current_period, period_window
from domain.obligations import can_edit, obligations_owed
from handlers import answering, obligated, registration
from handlers.buttons import StartUnit
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Incoming, Reply, named_choice
from templates.catalog import text


async def report(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/baocao: start or resume the person's report of the current period."""
    return await begin(event, ctx, state, units)


async def edit(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/sua: open the report being worked on if it was sent, else the one sent last."""
    if state.in_obligation:
        current = (await obligated.load(ctx, state)).obligation
        if current.submitted_at is not None or not can_edit(current):
            return await answering.reopen(ctx, event, state)
    # Not on a sent report (or on a form still being filled): find the one sent last.
    return await begin(event, ctx, state, units, reopen=True)


async def begin(
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
            (named_choice(ctx.catalog.units[code].name, StartUnit(code).pack()),) for code in usable
        )
        return [Reply(chat_id=chat_id, text=text("chat.pick_unit"), choices=choices)]
    if not usable:
        return [registration.stranger_reply(event)]
    return await start_unit(event, ctx, state, usable[0], reopen)


async def start_unit(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    unit_code: str,
    reopen: bool = False,
) -> list[Reply]:
    """Work on the unit's first form not yet sent (or, to reopen, the one sent last)."""
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
    work = await obligated.load(ctx, state)
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
