"""The period's timetable in action: prompts when a period opens, reminders, late notices.

Each step is keyed (period, unit, step) in the database and marked done in the same
transaction that queues its messages, so a restart never repeats one. A step that fell due
while the bot was down is sent once if still useful: of a unit's overdue steps only the
latest goes out (a reminder whose deadline passed gives way to the late reminder), and only
at a moment the timetable's rules allow (quiet hours, working days, holidays).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.calendar import (
    ScheduleKind,
    ScheduleStep,
    current_period,
    days_late,
    deadline_at,
    period_window,
    schedule_steps,
)
from domain.obligations import Obligation, obligations_owed
from domain.periods import Period
from domain.units import Unit
from handlers import ticket_overdue
from handlers.catch_up import UNIT_STEPS, held
from handlers.context import HandlerContext
from handlers.events import Reply
from handlers.unit_prompts import (
    outstanding_forms,
    prompt_text,
    reminder_text,
    tickets_only,
    to_focal_points,
)
from storage import OFFICE_WIDE
from templates.catalog import text

# Late reminders stop once the next period opens, or earlier when the period is locked.
PERIODS_LOOKED_AT = 2
# Marks a period the office opened by hand (/mo) as one a unit may answer besides the
# current one.
ANSWERABLE = "answerable"
# The steps of a unit owing no form (about its overdue tickets alone) have keys of their own,
# "open:tickets", so that a form given to it later in the period still gets its opening.
TICKETS_ONLY = ":tickets"


@dataclass(slots=True)
class StepOutcome:
    """What one run of the timetable did, for logs and tests."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (period, unit, step)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)


async def run_due_steps(ctx: HandlerContext) -> StepOutcome:
    """Queue the messages of every step due at ctx.now that was not done yet."""
    outcome = StepOutcome()
    regime = ctx.catalog.regime
    latest = current_period(ctx.now, regime)
    periods = [latest]
    for _ in range(PERIODS_LOOKED_AT - 1):
        periods.append(periods[-1].previous())
    for period in reversed(periods):
        record = await ctx.tx.periods.get(period)
        if record is not None and record.locked_at is not None:
            continue
        if regime.first_period is not None and period < regime.first_period:
            continue  # before collection started: only the office opens it (/mo)
        never_opened = record is None or record.opened_at is None
        if never_opened and (period != latest or ctx.now > deadline_at(period, regime)):
            # Not opened by this bot before its deadline (e.g. it was installed later): no
            # chasing; the office can still open it by hand (/mo).
            continue
        plan = schedule_steps(period, regime)
        steps = [s for s in plan if s.at <= ctx.now]
        if steps:
            if record is None or record.opened_at is None:
                await ctx.tx.periods.open(period, ctx.now)
            ahead = [s for s in plan if s.at > ctx.now and s.kind in UNIT_STEPS]
            await _run_period(ctx, period, steps, ahead, outcome)
    return outcome


async def _run_period(
    ctx: HandlerContext,
    period: Period,
    steps: list[ScheduleStep],
    ahead: list[ScheduleStep],
    outcome: StepOutcome,
) -> None:
    done = await ctx.tx.schedule.done_steps(period)
    # Each step is marked done for the units owing no form even when they have nothing to
    # answer: tickets imported later are chased at the next step, never at the import's
    # (maybe quiet) hour.
    for unit_code, obligations in (await _steps_owed(ctx, period)).items():
        unit_steps = [
            (s, _step_key(s.key, obligations))
            for s in steps
            if s.kind is not ScheduleKind.OFFICE_LATE_NOTICE
            and not _is_done(done, unit_code, s.key, obligations)
        ]
        if not unit_steps:
            continue
        latest, latest_key = unit_steps[-1]
        if held(latest, ahead, ctx.now, ctx.catalog.regime):
            continue  # nothing marked: the step is still the one to send, once
        for _, key in unit_steps[:-1]:
            await ctx.tx.schedule.mark_done(period, key, unit_code=unit_code, at=ctx.now)
            outcome.skipped.append((period.key, unit_code, key))
        await ctx.tx.schedule.mark_done(period, latest_key, unit_code=unit_code, at=ctx.now)
        replies = await _unit_step(ctx, period, latest, ctx.catalog.units[unit_code], obligations)
        if latest.kind is not ScheduleKind.OPEN:
            await _reminded(ctx, period, unit_code, replies)
        if replies:
            outcome.sent.append((period.key, unit_code, latest_key))
            outcome.replies.extend(replies)
        else:
            outcome.skipped.append((period.key, unit_code, latest_key))
    notice = [s for s in steps if s.kind is ScheduleKind.OFFICE_LATE_NOTICE]
    if (
        notice
        and (OFFICE_WIDE, notice[0].key) not in done
        and not held(notice[0], [], ctx.now, ctx.catalog.regime)
    ):
        await ctx.tx.schedule.mark_done(period, notice[0].key, unit_code=OFFICE_WIDE, at=ctx.now)
        replies = await late_notice(ctx, period)
        outcome.replies.extend(replies)
        outcome.sent.append((period.key, OFFICE_WIDE, notice[0].key))


async def _steps_owed(ctx: HandlerContext, period: Period) -> dict[str, list[Obligation]]:
    """Unit code -> its obligations in the period, for every unit that goes through the
    period's steps: those owing forms, then those owing none but chased about tickets."""
    by_unit = _group(await ensure_obligations(ctx, period))
    by_unit.update((code, []) for code in _owing_no_form(ctx, period, by_unit))
    return by_unit


def _step_key(key: str, obligations: list[Obligation]) -> str:
    """The key a unit's step is marked done under (TICKETS_ONLY for a unit owing no form)."""
    return key if obligations else key + TICKETS_ONLY


def _is_done(
    done: set[tuple[str, str]], unit_code: str, key: str, obligations: list[Obligation]
) -> bool:
    """Whether a unit's step was done. For a unit owing no form, the ordinary step counts
    too: a unit that owed a form when the step went out (units.csv changed since) already
    had its tickets button or tickets reminder then, and is not chased twice for it."""
    return (unit_code, _step_key(key, obligations)) in done or (unit_code, key) in done


def _owing_no_form(
    ctx: HandlerContext, period: Period, by_unit: dict[str, list[Obligation]]
) -> list[str]:
    """Units that go through the period's steps about their overdue tickets alone: those
    owing no form in it that may be chased; none in a period older than the current one
    (tickets belong to no period: an older period's steps would chase them a second time).
    A period the office opens early by hand (/mo) is newer than the current one."""
    if period < current_period(ctx.now, ctx.catalog.regime):
        return []
    return [
        u.code
        for u in ctx.catalog.unit_list()
        if u.code not in by_unit and ticket_overdue.chaseable(ctx, u.code)
    ]


def _group(owed: list[Obligation]) -> dict[str, list[Obligation]]:
    grouped: dict[str, list[Obligation]] = {}
    for obligation in owed:
        grouped.setdefault(obligation.unit_code, []).append(obligation)
    return grouped


async def ensure_obligations(ctx: HandlerContext, period: Period) -> list[Obligation]:
    """The period's obligations as stored (created for every unit that owes a form)."""
    cutoff = period_window(period, ctx.catalog.regime)[1]
    owed = [
        o
        for o in obligations_owed(ctx.catalog.unit_list(), period, cutoff, ctx.catalog.forms)
        if o.form_code in ctx.catalog.forms
    ]
    await ctx.tx.obligations.ensure(owed, ctx.now)
    stored = {o.key: o for o in await ctx.tx.obligations.list_for_period(period)}
    return [stored.get(o.key, o) for o in owed]


async def _unit_step(
    ctx: HandlerContext,
    period: Period,
    step: ScheduleStep,
    unit: Unit,
    obligations: list[Obligation],
) -> list[Reply]:
    if not obligations:
        chase = await ticket_overdue.chase_choice(ctx, unit.code)
        return await tickets_only(ctx, period, unit, chase, opening=step.kind is ScheduleKind.OPEN)
    outstanding = outstanding_forms(obligations)
    if step.kind is ScheduleKind.OPEN:
        if not outstanding:
            return []
        body = prompt_text(ctx, period, unit, outstanding)
        more = await ticket_overdue.prompt_choice(ctx, unit.code)
        return await to_focal_points(ctx, unit, body, more, period=period)
    # The tickets button rides on every reminder while some overdue ticket is unanswered.
    chase = await ticket_overdue.chase_choice(ctx, unit.code)
    if outstanding:
        body = await reminder_text(ctx, period, unit, outstanding)
        return await to_focal_points(ctx, unit, body, chase, period=period)
    # Figures sent, tickets not answered: a reminder about the tickets alone, on the current
    # period's steps only (tickets belong to no period: an older period's late steps would
    # chase them a second time). The step is marked done like any other: once per step.
    if period == current_period(ctx.now, ctx.catalog.regime):
        return await tickets_only(ctx, period, unit, chase, opening=False)
    return []


async def late_notice(ctx: HandlerContext, period: Period) -> list[Reply]:
    """Tell the office which units are late, and how late."""
    if not ctx.office.drafts_chat:
        return []
    regime = ctx.catalog.regime
    owed = await ensure_obligations(ctx, period)
    late_units = []
    for unit_code, obligations in _group(owed).items():
        if any(not o.state.is_done and not o.locked for o in obligations):
            late_units.append(ctx.catalog.units[unit_code].name)
    body = text(
        "chat.office_late_notice",
        period=period.label,
        deadline=deadline_at(period, regime),
        zone=ctx.catalog.zone,
        late=late_units,
        days=days_late(period, ctx.now, regime),
    )
    return [Reply(chat_id=ctx.office.drafts_chat, channel="telegram", text=body, bulk=True)]


async def remind_laggards_now(ctx: HandlerContext, period: Period) -> list[Reply]:
    """Reminders outside the timetable (/nhacnho, `baocao remind`): to every unit that has not
    submitted, and about their overdue tickets alone to the units of `ticket_laggards`."""
    replies: list[Reply] = []
    grouped = _group(await ensure_obligations(ctx, period))
    for unit_code, obligations in grouped.items():
        outstanding = outstanding_forms(obligations)
        if outstanding:
            unit = ctx.catalog.units[unit_code]
            sent = await _figures_reminder(ctx, period, unit, outstanding)
            replies.extend(await _reminded(ctx, period, unit_code, sent))
    for unit in await _ticket_laggards(ctx, period, grouped):
        sent = await _tickets_reminder(ctx, period, unit)
        replies.extend(await _reminded(ctx, period, unit.code, sent))
    return replies


async def remind_unit_now(ctx: HandlerContext, period: Period, unit_code: str) -> list[Reply]:
    """One unit's part of `remind_laggards_now` (the dashboard's «Nhắc»): the same messages
    /nhacnho sends it; none if it owes nothing."""
    grouped = _group(await ensure_obligations(ctx, period))
    unit = ctx.catalog.units[unit_code]
    outstanding = outstanding_forms(grouped.get(unit_code, []))
    if outstanding:
        sent = await _figures_reminder(ctx, period, unit, outstanding)
    elif unit in await _ticket_laggards(ctx, period, grouped):
        sent = await _tickets_reminder(ctx, period, unit)
    else:
        return []
    return await _reminded(ctx, period, unit_code, sent)


async def _reminded(
    ctx: HandlerContext, period: Period, unit_code: str, sent: list[Reply]
) -> list[Reply]:
    """`sent`, the reminder queued to a unit's focal points, recorded for the office's
    overview (the last one, how many); nothing is recorded when nobody could be reached."""
    if sent:
        await ctx.tx.schedule.reminded(period, unit_code, ctx.now)
    return sent


async def _figures_reminder(
    ctx: HandlerContext, period: Period, unit: Unit, outstanding: list[Obligation]
) -> list[Reply]:
    body = await reminder_text(ctx, period, unit, outstanding)
    chase = await ticket_overdue.chase_choice(ctx, unit.code)
    return await to_focal_points(ctx, unit, body, chase, period=period)


async def _tickets_reminder(ctx: HandlerContext, period: Period, unit: Unit) -> list[Reply]:
    chase = await ticket_overdue.chase_choice(ctx, unit.code)
    return await tickets_only(ctx, period, unit, chase, opening=False)


async def ticket_laggards(ctx: HandlerContext, period: Period) -> list[Unit]:
    """Units a reminder chases about their overdue tickets alone: nothing left to send on the
    period's forms (sent, or no form owed) but tickets not answered about since the current
    period opened. None for another period than the current one or a locked one, as in the
    timetable."""
    return await _ticket_laggards(ctx, period, _group(await ensure_obligations(ctx, period)))


async def _ticket_laggards(
    ctx: HandlerContext, period: Period, grouped: dict[str, list[Obligation]]
) -> list[Unit]:
    if period != current_period(ctx.now, ctx.catalog.regime):
        return []
    record = await ctx.tx.periods.get(period)
    if record is not None and record.locked_at is not None:
        return []
    owing = {code for code, obligations in grouped.items() if outstanding_forms(obligations)}
    pending = await ticket_overdue.pending_unit_codes(ctx)
    return [ctx.catalog.units[code] for code in pending if code not in owing]


@dataclass(slots=True)
class Opening:
    """What opening a period by hand queued: prompts for figures, and questions about their
    overdue tickets to units owing no form (`asked_about_tickets`, focal point or not)."""

    prompts: list[Reply] = field(default_factory=list)
    ticket_questions: list[Reply] = field(default_factory=list)
    asked_about_tickets: list[Unit] = field(default_factory=list)


async def open_period_now(ctx: HandlerContext, period: Period) -> Opening:
    """Open a period at once (/mo): prompts go out, and the timetable's opening is done."""
    await ctx.tx.periods.open(period, ctx.now)
    opening = Opening()
    done = await ctx.tx.schedule.done_steps(period)
    by_hand = period != current_period(ctx.now, ctx.catalog.regime)
    for unit_code, obligations in (await _steps_owed(ctx, period)).items():
        if obligations and by_hand:  # answerable besides the current period (/baocao asks)
            await ctx.tx.schedule.mark_done(period, ANSWERABLE, unit_code=unit_code, at=ctx.now)
        if not obligations and (unit_code, "open") in done:
            continue  # prompted for figures when it owed a form, tickets button included
        key = _step_key("open", obligations)
        if not await ctx.tx.schedule.mark_done(period, key, unit_code=unit_code, at=ctx.now):
            continue  # already prompted
        unit = ctx.catalog.units[unit_code]
        if not obligations:
            if chase := await ticket_overdue.chase_choice(ctx, unit_code):
                opening.asked_about_tickets.append(unit)
                questions = await tickets_only(ctx, period, unit, chase, opening=True)
                opening.ticket_questions.extend(questions)
            continue
        outstanding = [o for o in obligations if not o.state.is_done]
        if outstanding:
            body = prompt_text(ctx, period, unit, outstanding)
            more = await ticket_overdue.prompt_choice(ctx, unit.code)
            opening.prompts.extend(await to_focal_points(ctx, unit, body, more, period=period))
    return opening
