"""Which report a person works on: /baocao and /sua, and the unit buttons that start one."""

from __future__ import annotations

from domain.calendar import current_period, period_window
from domain.obligations import Obligation, ObligationState, can_edit, obligations_owed
from domain.periods import Period, parse_period
from handlers import answering, obligated, registration
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Choice, Incoming, Reply, named_choice
from handlers.schedule import ANSWERABLE
from handlers.unit_buttons import EditForm, StartUnit
from templates.catalog import text


async def report(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/baocao [CODE]: start or resume the person's report; with a form's code, that form."""
    typed = event.argument.strip()
    if typed:
        return await _begin_named(ctx, event, state, units, typed)
    return await begin(event, ctx, state, units)


async def _begin_named(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str], typed: str
) -> list[Reply]:
    """/baocao CODE: work on that form where one unit and period owe it; else say what can
    be sent (or that it was sent: /sua changes it)."""
    usable = [code for code in units if code in ctx.catalog.units]
    if not usable:
        return [registration.stranger_reply(event)]
    owed = await _owed_open(ctx, usable)
    named = [o for o in owed if o.form_code.casefold() == typed.casefold()]
    waiting = [o for o in named if not o.state.is_done]
    if len(waiting) == 1:
        only = waiting[0]
        return await start_unit(event, ctx, state, only.unit_code, only.period, only.form_code)
    if waiting:  # several units or periods owe it: the usual choice
        return await begin(event, ctx, state, units)
    period = current_period(ctx.now, ctx.catalog.regime).label
    codes = sorted({o.form_code for o in owed if not o.state.is_done})
    key = "chat.report_form_sent" if named else "chat.report_unknown_form"
    body = text(key, typed=typed, codes=codes, period=period)
    return [Reply(chat_id=event.sender.chat_id, text=body)]


async def edit(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/sua [CODE]: open a form of an open period to look at or change: the one named, the
    only one, or a choice among every form the person's units can still change."""
    chat_id = event.sender.chat_id
    usable = [code for code in units if code in ctx.catalog.units]
    if not usable:
        return [registration.stranger_reply(event)]
    period = current_period(ctx.now, ctx.catalog.regime)
    owed = await _owed_open(ctx, usable)
    editable = [o for o in owed if can_edit(o) and o.state is not ObligationState.NOT_STARTED]
    typed = event.argument.strip()
    if typed:
        named = [o for o in editable if o.form_code.casefold() == typed.casefold()]
        if not named:
            codes = sorted({o.form_code for o in editable})
            reply = text("chat.edit_unknown_form", typed=typed, codes=codes, period=period.label)
            return [Reply(chat_id=chat_id, text=reply)]
        editable = named
    if not editable:
        key = "chat.locked" if any(not can_edit(o) for o in owed) else "chat.nothing_to_edit"
        return [Reply(chat_id=chat_id, text=text(key, period=period.label))]
    if len(editable) == 1:
        only = editable[0]
        return await edit_form(event, ctx, state, only.unit_code, only.form_code, only.period)
    several_units = len({o.unit_code for o in editable}) > 1
    several_periods = len({o.period for o in editable}) > 1
    choices = tuple(
        (
            named_choice(
                _edit_label(ctx, o, several_units, several_periods),
                EditForm(o.unit_code, _form_number(ctx, o.form_code), o.period).pack(),
            ),
        )
        for o in editable
    )
    return [
        Reply(chat_id=chat_id, text=text("chat.edit_pick", period=period.label), choices=choices)
    ]


def _edit_label(
    ctx: HandlerContext, obligation: Obligation, with_unit: bool, with_period: bool
) -> str:
    """A form's button under /sua: its title, the period's and the unit's name when the
    choice spans several."""
    title = ctx.catalog.forms[obligation.form_code].title
    sent = "✅ " if obligation.state.is_done else "✏ "
    period = " " + text("chat.edit_period", period=obligation.period.label) if with_period else ""
    unit = f" – {ctx.catalog.units[obligation.unit_code].name}" if with_unit else ""
    return f"{sent}{title} ({obligation.form_code}){period}{unit}"


async def open_periods(ctx: HandlerContext, unit_code: str) -> list[Period]:
    """The periods a unit may answer, oldest first: the current one, and those the office
    opened by hand (/mo) for it that are not locked."""
    periods = {current_period(ctx.now, ctx.catalog.regime)}
    for key in await ctx.tx.schedule.periods_with(unit_code, ANSWERABLE):
        record = await ctx.tx.periods.get(key)
        if record is None or record.locked_at is None:
            periods.add(parse_period(key))
    return sorted(periods)


async def _owed_open(ctx: HandlerContext, unit_codes: list[str]) -> list[Obligation]:
    """Every obligation of the units in the periods open to each (/baocao CODE, /sua)."""
    return [
        o
        for code in unit_codes
        for open_period in await open_periods(ctx, code)
        for o in await owed_forms(ctx, code, open_period)
    ]


def to_send(owed: list[Obligation]) -> bool:
    """Whether any of the obligations is still to be sent and may be."""
    return any(not o.state.is_done and can_edit(o) for o in owed)


def _pick_period(ctx: HandlerContext, chat_id: str, unit_code: str, periods: list[Period]) -> Reply:
    """Which period to answer, when the office opened another one besides the current."""
    choices = tuple(
        (Choice(text("chat.button_period", period=p.label), StartUnit(unit_code, p).pack()),)
        for p in periods
    )
    unit = ctx.catalog.units[unit_code].name
    body = text("chat.pick_period", unit=unit, periods=[p.label for p in periods])
    return Reply(chat_id=chat_id, text=body, choices=choices)


def _form_number(ctx: HandlerContext, form_code: str) -> int:
    return list(ctx.catalog.forms).index(form_code) + 1


def form_code_numbered(ctx: HandlerContext, number: int) -> str | None:
    """The code of the office's form numbered `number` from 1 (an edit button's), if any."""
    codes = list(ctx.catalog.forms)
    return codes[number - 1] if 1 <= number <= len(codes) else None


def forms_owed(ctx: HandlerContext, unit_code: str, period: Period) -> list[Obligation]:
    """The unit's obligations of the period as the catalog has them (nothing stored)."""
    unit = ctx.catalog.units[unit_code]
    cutoff = period_window(period, ctx.catalog.regime)[1]
    return [
        o
        for o in obligations_owed([unit], period, cutoff, ctx.catalog.forms)
        if o.form_code in ctx.catalog.forms
    ]


async def owed_forms(ctx: HandlerContext, unit_code: str, period: Period) -> list[Obligation]:
    """The unit's obligations of the period, as stored (created if need be)."""
    owed = forms_owed(ctx, unit_code, period)
    await ctx.tx.obligations.ensure(owed)
    stored = [await ctx.tx.obligations.get(unit_code, o.form_code, period.key) for o in owed]
    return [s or o for s, o in zip(stored, owed, strict=True)]


async def edit_form(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    unit_code: str,
    form_code: str,
    period: Period | None = None,
) -> list[Reply]:
    """Show one of the unit's forms of an open period (the current one by default) to look
    at or change (a sent one stays sent until an answer changes)."""
    period = period or current_period(ctx.now, ctx.catalog.regime)
    if period not in await open_periods(ctx, unit_code):
        return [Reply(chat_id=event.sender.chat_id, text=text("chat.stale_button"))]
    if form_code not in {o.form_code for o in await owed_forms(ctx, unit_code, period)}:
        return [Reply(chat_id=event.sender.chat_id, text=text("chat.stale_button"))]
    if (state.unit, state.form, state.period) != (unit_code, form_code, period.key):
        state.reset()
    state.unit, state.form, state.period = unit_code, form_code, period.key
    return await answering.reopen(ctx, event, state)


async def begin(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    units: list[str],
) -> list[Reply]:
    """Start or resume the person's current obligation, asking for the unit when several."""
    chat_id = event.sender.chat_id
    usable = [code for code in units if code in ctx.catalog.units]
    if state.in_obligation and state.unit in usable:
        # Resume the unit being worked on (its form where it was left, unless another period
        # is open too: then the person picks one).
        return await start_unit(event, ctx, state, state.unit)
    if len(usable) > 1:
        state.awaiting = Awaiting.UNIT_CHOICE
        choices = tuple(
            (named_choice(ctx.catalog.units[code].name, StartUnit(code).pack()),) for code in usable
        )
        return [Reply(chat_id=chat_id, text=text("chat.pick_unit"), choices=choices)]
    if not usable:
        return [registration.stranger_reply(event)]
    return await start_unit(event, ctx, state, usable[0])


async def start_unit(
    event: Incoming,
    ctx: HandlerContext,
    state: ConversationState,
    unit_code: str,
    period: Period | None = None,
    form_code: str | None = None,
) -> list[Reply]:
    """Work on the unit's first form not yet sent (or `form_code`, when it is not): of
    `period` if it is open to the unit and has one, else of the one open period with forms to
    send (asking which when several)."""
    chat_id = event.sender.chat_id
    unit = ctx.catalog.units[unit_code]
    periods = await open_periods(ctx, unit_code)
    pending = [p for p in periods if to_send(await owed_forms(ctx, unit_code, p))]
    if period not in periods or (period not in pending and pending):
        if len(pending) > 1:
            return [_pick_period(ctx, chat_id, unit_code, pending)]
        period = pending[0] if pending else current_period(ctx.now, ctx.catalog.regime)
    owed = await owed_forms(ctx, unit_code, period)
    if not owed:
        return [Reply(chat_id=chat_id, text=text("chat.nothing_owed", period=period.label))]
    waiting = [o.form_code for o in owed if not o.state.is_done]
    chosen = form_code if form_code in waiting else next(iter(waiting), None)
    if chosen is None:
        return [Reply(chat_id=chat_id, text=text("chat.all_submitted", period=period.label))]
    if (state.unit, state.form, state.period) != (unit_code, chosen, period.key):
        state.reset()
    state.unit, state.form, state.period = unit_code, chosen, period.key
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
