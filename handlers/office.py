"""Office staff in chat: progress of a period, reminders on demand, opening and locking."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from domain.calendar import current_period, period_window
from domain.obligations import Obligation, ObligationState, obligations_owed
from domain.periods import Period, parse_period
from domain.units import Unit
from handlers import notices, registration, schedule, ticket_assign, ticket_status
from handlers.button_kind import PERIOD_YEARS
from handlers.context import Catalog, HandlerContext
from handlers.events import Choice, Incoming, Reply
from handlers.office_buttons import (
    AssignTicket,
    LockConfirm,
    OfficeButton,
    RemindConfirm,
    StatusPage,
    TicketOverview,
)
from handlers.paging import lines_page, page_moves
from storage import FocalPoint, ReadView, WriteTransaction
from templates.catalog import text

BAR_WIDTH = 10


@dataclass(frozen=True, slots=True)
class UnitProgress:
    """Where one unit stands with a period."""

    code: str
    name: str
    answered: int
    questions: int
    submitted_at: datetime | None = None
    late: bool = False
    unreachable: bool = False
    # Changes to answers after a form was sent, not sent again yet: how many, the last when.
    changed: int = 0
    changed_at: datetime | None = None
    explained: int = 0  # answers kept with an explanation


@dataclass(slots=True)
class PeriodProgress:
    """How far the units are with one period, unit by unit."""

    period: Period
    submitted: list[UnitProgress] = field(default_factory=list)
    in_progress: list[UnitProgress] = field(default_factory=list)
    not_started: list[UnitProgress] = field(default_factory=list)
    unreachable: list[UnitProgress] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Units that owe something this period."""
        return len(self.submitted) + len(self.in_progress) + len(self.not_started)

    @property
    def done(self) -> int:
        """Units that have handed everything in."""
        return len(self.submitted)

    @property
    def late(self) -> list[UnitProgress]:
        """Units that handed in after the deadline."""
        return [u for u in self.submitted if u.late]

    def as_dict(self) -> dict[str, object]:
        """For `baocao status --json`."""

        def codes(units: list[UnitProgress]) -> list[str]:
            return [u.code for u in units]

        return {
            "period": self.period.key,
            "total": self.total,
            "submitted": codes([u for u in self.submitted if not u.late]),
            "submitted_late": codes(self.late),
            "in_progress": codes(self.in_progress),
            "not_started": codes(self.not_started),
            "unreachable": codes(self.unreachable),
            # Sent reports changed since and not sent again: the changes, the last one's time.
            "changed_after_submission": {
                u.code: {"changes": u.changed, "last_change": u.changed_at.isoformat()}
                for u in self.in_progress
                if u.changed and u.changed_at is not None
            },
        }


async def progress(
    view: ReadView | WriteTransaction,
    catalog: Catalog,
    period: Period,
    people: Mapping[str, list[FocalPoint]] | None = None,
) -> PeriodProgress:
    """Each unit that owes forms for the period, classified by its least advanced form;
    `people` (every unit's current focal points) if the caller has read them already."""
    cutoff = period_window(period, catalog.regime)[1]
    owed = obligations_owed(catalog.unit_list(), period, cutoff, catalog.forms)
    stored = {o.key: o for o in await view.obligations.list_for_period(period.key)}
    by_unit: dict[str, list[Obligation]] = {}
    for obligation in owed:
        if obligation.form_code in catalog.forms:
            by_unit.setdefault(obligation.unit_code, []).append(
                stored.get(obligation.key, obligation)
            )
    result = PeriodProgress(period)
    # Bulk reads, one per kind: a province has thousands of units.
    counts = await view.answers.period_counts(period)
    everyone = await view.focal_points.current_by_unit() if people is None else people
    for unit_code, obligations in by_unit.items():
        unit = catalog.units[unit_code]
        answered = questions = explained = 0
        for obligation in obligations:
            values, reasons = counts.get((unit_code, obligation.form_code), (0, 0))
            answered += values
            explained += reasons
            questions += len(catalog.forms[obligation.form_code].fields)
        people_of = everyone.get(unit_code, [])
        unreachable = bool(people_of) and all(p.unreachable_at is not None for p in people_of)
        states = {o.state for o in obligations}
        submitted_at = max((o.submitted_at for o in obligations if o.submitted_at), default=None)
        entry = UnitProgress(
            unit_code,
            unit.name,
            answered,
            questions,
            submitted_at,
            ObligationState.SUBMITTED_LATE in states,
            unreachable,
            *await _changes_after_sending(view, obligations),
            explained=explained,
        )
        if all(s.is_done or s is ObligationState.LOCKED for s in states):
            result.submitted.append(entry)
        elif states == {ObligationState.NOT_STARTED}:
            result.not_started.append(entry)
        else:
            result.in_progress.append(entry)
        if unreachable:
            result.unreachable.append(entry)
    return result


async def _changes_after_sending(
    view: ReadView | WriteTransaction, obligations: list[Obligation]
) -> tuple[int, datetime | None]:
    """How many revisions were made to forms taken back after they were sent (a change, not
    a look, takes one back), and the last one's time: the office sees which sent figures are
    being changed."""
    moments: list[datetime] = []
    for obligation in obligations:
        sent = obligation.submitted_at
        if obligation.state is not ObligationState.REOPENED or sent is None:
            continue
        history = await view.answers.revisions(
            obligation.unit_code, obligation.form_code, obligation.period
        )
        moments.extend(r.changed_at for r in history if r.changed_at > sent)
    return len(moments), max(moments, default=None)


def changed_after_sending(unit: UnitProgress, zone: tzinfo) -> str:
    """What the office reads about a unit whose sent report was changed and not sent again
    (how many changes, the last when; times in `zone`); "" if none was."""
    if not unit.changed:
        return ""
    return text("chat.status_changed", changed=unit.changed, changed_at=unit.changed_at, zone=zone)


def progress_bar(done: int, total: int) -> str:
    """A text progress bar, e.g. '▓▓▓▓▓▓░░░░ 60%'."""
    share = 0 if total == 0 else done / total
    filled = round(share * BAR_WIDTH)
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {round(share * 100)}%"


def _period_argument(ctx: HandlerContext, argument: str) -> Period:
    typed = argument.strip()
    period = parse_period(typed) if typed else current_period(ctx.now, ctx.catalog.regime)
    if period.year not in PERIOD_YEARS:
        raise ValueError(f"period out of range: {typed!r}")
    return period


async def status(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/trangthai [MM/YYYY]: progress bar, counts, then the units by group, paged."""
    try:
        period = _period_argument(ctx, event.argument)
    except ValueError:
        reply = text("chat.bad_period", typed=event.argument, command="trangthai")
        return [Reply(chat_id=event.sender.chat_id, text=reply)]
    return [await status_page(ctx, event.sender.chat_id, period, 1)]


async def status_page(ctx: HandlerContext, chat_id: str, period: Period, page: int) -> Reply:
    """One page of the progress report, with buttons to the other pages."""
    result = await progress(ctx.tx, ctx.catalog, period)
    head = text(
        "chat.status_head",
        period=period.label,
        bar=progress_bar(result.done, result.total),
        done=result.done,
        total=result.total,
        on_time=result.done - len(result.late),
        late=len(result.late),
        in_progress=len(result.in_progress),
        not_started=len(result.not_started),
        unreachable=len(result.unreachable),
    )
    lines = text(
        "chat.status_lines",
        submitted=result.submitted,
        in_progress=result.in_progress,
        not_started=result.not_started,
        unreachable=result.unreachable,
        changed={u.code: changed_after_sending(u, ctx.catalog.zone) for u in result.in_progress},
        zone=ctx.catalog.zone,
    ).splitlines()
    body, page, pages = lines_page(lines, page)
    footer = text("chat.status_page", page=page, pages=pages) if pages > 1 else ""
    buttons = page_moves(page, pages, lambda n: StatusPage(period, n))
    message = "\n\n".join(part for part in (head, body, footer) if part)
    rows = ((buttons,) if buttons else ()) + ((ticket_status.view_button(),),)
    return Reply(chat_id=chat_id, text=message, choices=rows)


async def remind_ask(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/nhacnho: which units would be reminded (of their figures, or of their overdue tickets
    alone), with a button to confirm."""
    period = current_period(ctx.now, ctx.catalog.regime)
    laggards, chased = await units_to_remind(ctx, period)
    chat_id = event.sender.chat_id
    if not laggards and not chased:
        return [Reply(chat_id=chat_id, text=text("chat.remind_nobody", period=period.label))]
    confirm = Choice(text("chat.button_remind_confirm"), RemindConfirm(period).pack())
    body = text(
        "chat.remind_ask",
        period=period.label,
        units=[u.name for u in laggards],
        tickets=[u.name for u in chased],
    )
    return [Reply(chat_id=chat_id, text=body, choices=((confirm,),))]


async def units_to_remind(
    ctx: HandlerContext, period: Period
) -> tuple[list[UnitProgress], list[Unit]]:
    """The units a reminder goes to: those owing figures, and those chased about their
    overdue tickets alone (each unit in one list only)."""
    result = await progress(ctx.tx, ctx.catalog, period)
    laggards = result.in_progress + result.not_started
    owing = {u.code for u in laggards}
    chased = [u for u in await schedule.ticket_laggards(ctx, period) if u.code not in owing]
    return laggards, chased


async def _no_focal_point(ctx: HandlerContext, units: Sequence[UnitProgress | Unit]) -> str:
    """A line naming the units no message can reach (no focal point yet), or ""."""
    names = [u.name for u in units if not await ctx.tx.focal_points.list_for_unit(u.code)]
    return "\n" + text("chat.no_focal_point", names=names) if names else ""


async def remind_confirmed(ctx: HandlerContext, event: Incoming, period: Period) -> list[Reply]:
    """The office confirmed /nhacnho: queue a reminder to every laggard's focal points."""
    reminders = await schedule.remind_laggards_now(ctx, period)
    units = len({(r.channel, r.chat_id) for r in reminders})
    laggards, chased = await units_to_remind(ctx, period)
    body = text("chat.remind_queued", messages=len(reminders), people=units, period=period.label)
    body += await _no_focal_point(ctx, [*laggards, *chased])
    return [Reply(chat_id=event.sender.chat_id, text=body), *reminders]


async def open_now(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/mo [MM/YYYY]: open a period now; prompts go out to units not yet prompted."""
    chat_id = event.sender.chat_id
    try:
        period = _period_argument(ctx, event.argument)
    except ValueError:
        return [Reply(chat_id=chat_id, text=text("chat.bad_period", typed=event.argument))]
    record = await ctx.tx.periods.get(period)
    if record is not None and record.locked_at is not None:
        return [Reply(chat_id=chat_id, text=text("chat.period_is_locked", period=period.label))]
    opening = await schedule.open_period_now(ctx, period)
    result = await progress(ctx.tx, ctx.catalog, period)
    body = text(
        "chat.period_opened",
        period=period.label,
        messages=len(opening.prompts),
        ticket_questions=len(opening.ticket_questions),
    )
    laggards = result.in_progress + result.not_started
    body += await _no_focal_point(ctx, [*laggards, *opening.asked_about_tickets])
    return [Reply(chat_id=chat_id, text=body), *opening.prompts, *opening.ticket_questions]


async def lock_ask(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/khoa [MM/YYYY]: which period would be locked, with a button to confirm. A lock has
    no undo for the whole period, and a bare /khoa just after a period opened means the new
    one: the question names it before anything happens."""
    chat_id = event.sender.chat_id
    try:
        period = _period_argument(ctx, event.argument)
    except ValueError:
        return [Reply(chat_id=chat_id, text=text("chat.bad_period", typed=event.argument))]
    record = await ctx.tx.periods.get(period)
    if record is not None and record.locked_at is not None:
        at, zone = record.locked_at, ctx.catalog.zone
        body = text("chat.period_already_locked", period=period.label, at=at, zone=zone)
        return [Reply(chat_id=chat_id, text=body)]
    result = await progress(ctx.tx, ctx.catalog, period)
    late = len(result.in_progress) + len(result.not_started)
    label = text("chat.button_lock_confirm", period=period.label)
    confirm = Choice(label, LockConfirm(period).pack())
    body = text("chat.lock_ask", period=period.label, late=late)
    return [Reply(chat_id=chat_id, text=body, choices=((confirm,),))]


async def lock_confirmed(ctx: HandlerContext, event: Incoming, period: Period) -> list[Reply]:
    """The lock's button: no more edits to the period (unless one unit is unlocked)."""
    await lock_period(ctx, period)
    return [
        Reply(chat_id=event.sender.chat_id, text=text("chat.period_locked", period=period.label))
    ]


async def unlock_unit(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/mokhoa UNIT_CODE [MM/YYYY]: reopen one unit for a late correction."""
    chat_id = event.sender.chat_id
    code, _, rest = event.argument.strip().partition(" ")
    unit_code = code.upper()
    if unit_code not in ctx.catalog.units:
        return [registration.unknown_unit_reply(ctx, event, code)]
    try:
        period = _period_argument(ctx, rest)
    except ValueError:
        return [Reply(chat_id=chat_id, text=text("chat.bad_period", typed=rest))]
    unit = ctx.catalog.units[unit_code]
    count, told = await reopen_unit(ctx, unit_code, period)
    body = text("chat.unit_unlocked", unit=unit.name, period=period.label, count=count)
    return [Reply(chat_id=chat_id, text=body), *told]


async def lock_period(ctx: HandlerContext, period: Period) -> None:
    """Close a period to edits (the first lock's time is kept): /khoa confirmed, or the
    dashboard's confirmed lock."""
    await ctx.tx.periods.ensure(period)
    await ctx.tx.periods.lock(period, ctx.now)


async def reopen_unit(
    ctx: HandlerContext, unit_code: str, period: Period
) -> tuple[int, list[Reply]]:
    """Reopen one unit's forms of a period for a late correction (/mokhoa, the dashboard):
    how many forms, and the notice to its focal points."""
    await schedule.ensure_obligations(ctx, period)
    count = await ctx.tx.obligations.unlock_unit(unit_code, period, ctx.now)
    notice = text("chat.unit_unlocked_notice", period=period.label)
    people = await notices.reachable_in_private(ctx, unit_code)
    return count, [Reply(chat_id=p.chat_id, channel=p.channel, text=notice) for p in people]


async def button(ctx: HandlerContext, event: Incoming, pressed: OfficeButton) -> list[Reply]:
    """Office buttons: status pages, confirmations, assigning a ticket, removing a person."""
    chat_id = event.sender.chat_id
    if isinstance(pressed, StatusPage):
        return [await status_page(ctx, chat_id, pressed.period, pressed.page)]
    if isinstance(pressed, TicketOverview):
        return [await ticket_status.view_page(ctx, chat_id, pressed.page)]
    if isinstance(pressed, RemindConfirm):
        return await remind_confirmed(ctx, event, pressed.period)
    if isinstance(pressed, LockConfirm):
        return await lock_confirmed(ctx, event, pressed.period)
    if isinstance(pressed, AssignTicket):
        return await ticket_assign.button(ctx, event, pressed)
    return await registration.remove_focal_point(ctx, event, pressed)
