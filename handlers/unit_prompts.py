"""What the timetable sends a unit: the prompt that opens a period, the reminders, the
message about overdue tickets alone, to every reachable focal point of the unit under its
buttons. When they go out is handlers/schedule.py's.
"""

from __future__ import annotations

from domain.calendar import days_late, deadline_at, period_window
from domain.obligations import Obligation
from domain.periods import Period
from domain.units import Unit
from handlers import notices, ticket_overdue
from handlers.context import HandlerContext
from handlers.conversation import ConversationState
from handlers.events import Choice, Reply
from handlers.unit_buttons import StartUnit
from templates.catalog import text


async def tickets_only(
    ctx: HandlerContext, period: Period, unit: Unit, chase: tuple[Choice, ...], *, opening: bool
) -> list[Reply]:
    """A message about a unit's overdue tickets alone (the period's opening for a unit owing
    no form, or a reminder) under its `chase` button (`ticket_overdue.chase_choice`, the caller's
    already): none without one, i.e. nothing left unanswered since the opening."""
    if not chase:
        return []
    if opening:
        deadline = deadline_at(period, ctx.catalog.regime)
        body = await ticket_overdue.prompt_text(ctx, unit.code, period.label, deadline)
    else:
        body = await ticket_overdue.reminder_text(ctx, unit.code, period.label)
    return await to_focal_points(ctx, unit, body, chase, start=False)


def outstanding_forms(obligations: list[Obligation]) -> list[Obligation]:
    """The forms still to be sent (not handed in, not frozen by a lock)."""
    return [o for o in obligations if not o.state.is_done and not o.locked]


def prompt_text(ctx: HandlerContext, period: Period, unit: Unit, owed: list[Obligation]) -> str:
    """The message that opens a period for a unit."""
    regime = ctx.catalog.regime
    start, end = period_window(period, regime)
    return text(
        "chat.prompt_open",
        unit=unit.name,
        period=period.label,
        start=start,
        end=end,
        deadline=deadline_at(period, regime),
        zone=ctx.catalog.zone,
        forms=[ctx.catalog.forms[o.form_code].title for o in owed],
    )


async def reminder_text(
    ctx: HandlerContext, period: Period, unit: Unit, outstanding: list[Obligation]
) -> str:
    """A reminder saying what is missing and when it is due (or how late it is)."""
    regime = ctx.catalog.regime
    missing = []
    for obligation in outstanding:
        form = ctx.catalog.forms[obligation.form_code]
        answers = await ctx.tx.answers.for_obligation(unit.code, form.code, period)
        answered = sum(1 for a in answers.values() if a.value is not None)
        missing.append({"title": form.title, "answered": answered, "total": len(form.fields)})
    deadline = deadline_at(period, regime)
    return text(
        "chat.reminder",
        unit=unit.name,
        period=period.label,
        deadline=deadline,
        zone=ctx.catalog.zone,
        missing=missing,
        late=ctx.now > deadline,
        days_late=days_late(period, ctx.now, regime),
        days_left=max(0, (deadline.date() - ctx.now.astimezone(deadline.tzinfo).date()).days),
    )


async def to_focal_points(
    ctx: HandlerContext,
    unit: Unit,
    body: str,
    more: tuple[Choice, ...] = (),
    *,
    start: bool = True,
    period: Period | None = None,
) -> list[Reply]:
    """The same bulk message to every reachable focal point of a unit, with a start button
    (unless `start` is False; for `period`, when given) and `more` buttons under it, e.g.
    the unit's overdue tickets."""
    people = await notices.reachable_in_private(ctx, unit.code)
    button = StartUnit(unit.code, period).pack()
    first = ((Choice(text("chat.button_start"), button),),) if start else ()
    rows = (*first, *((c,) for c in more))
    for person in people:
        await _offer_choices(ctx, person.channel, person.user_id, rows)
    return [
        Reply(chat_id=p.chat_id, channel=p.channel, text=body, choices=rows, bulk=True)
        for p in people
    ]


async def _offer_choices(
    ctx: HandlerContext, channel: str, user_id: str, choices: tuple[tuple[Choice, ...], ...]
) -> None:
    """Make a typed number pick among `choices`, the newest message's, from now on.

    On Zalo and in the console choices are numbered lines: "1" under a prompt must start
    the form, not press the first choice of whatever the person saw weeks ago (a ticket's
    "handled"). Someone in the middle of a question keeps typing figures, so their state is
    left alone.
    """
    state = ConversationState.from_dict(await ctx.tx.conversations.get(channel, user_id))
    if state.numbers_are_answers:
        return
    state.choices = [choice.data for row in choices for choice in row]
    await ctx.tx.conversations.put(channel, user_id, state.to_dict(), ctx.now)
