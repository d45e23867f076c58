"""A unit's overdue tickets as the timetable and the office see them: which units a reminder
may chase, the opening and reminder texts about them, and the button that opens the list
(the conversation about them is handlers/tickets.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.calendar import current_period, local_day
from domain.ticket_figures import pending_units
from domain.tickets import Ticket
from handlers.context import HandlerContext
from handlers.events import Choice
from handlers.unit_buttons import TicketPage
from templates.catalog import text


@dataclass(frozen=True, slots=True)
class Overdue:
    """A unit's overdue tickets as the conversation sees them."""

    unit_code: str
    tickets: list[Ticket]
    today: date
    since: datetime | None

    @property
    def pending(self) -> list[Ticket]:
        """The tickets the unit has not answered about (since it was last prompted)."""
        return [t for t in self.tickets if not t.answered_since(self.since)]


def today(ctx: HandlerContext) -> date:
    """The office's calendar day at the time of the event."""
    return local_day(ctx.now, ctx.catalog.regime.timezone)


async def answers_since(ctx: HandlerContext) -> datetime | None:
    """Answers count from the current period's opening (its prompt asked again); before any
    period opened, every answer counts."""
    record = await ctx.tx.periods.get(current_period(ctx.now, ctx.catalog.regime))
    return record.opened_at if record is not None else None


async def overdue(ctx: HandlerContext, unit_code: str) -> Overdue:
    """The unit's overdue tickets today, and since when answers count."""
    day = today(ctx)
    tickets = await ctx.tx.tickets.overdue(day, unit_code)
    return Overdue(unit_code, tickets, day, await answers_since(ctx))


def open_list(label: str, unit_code: str) -> Choice:
    """The button that opens the first page of a unit's overdue tickets."""
    return Choice(label, TicketPage(unit_code, 1).pack())


async def prompt_choice(ctx: HandlerContext, unit_code: str) -> tuple[Choice, ...]:
    """The button under a period prompt that opens the unit's overdue tickets (if any)."""
    held = await ctx.tx.tickets.overdue(today(ctx), unit_code)
    if not held:
        return ()
    return (open_list(text("chat_tickets.button_open", count=len(held)), unit_code),)


async def chase_choice(ctx: HandlerContext, unit_code: str) -> tuple[Choice, ...]:
    """The button for a reminder: only while the unit may be chased (`chaseable`) and has
    overdue tickets it has not answered about since the current period opened (answered ones
    need no chasing). Without it, no reminder is about tickets."""
    if not chaseable(ctx, unit_code):
        return ()
    held = await overdue(ctx, unit_code)
    if not held.pending:
        return ()
    return (open_list(text("chat_tickets.button_open", count=len(held.tickets)), unit_code),)


async def pending_unit_codes(ctx: HandlerContext) -> list[str]:
    """Configured units holding overdue tickets they have not answered about since the
    current period opened, in the units' order (those a reminder may chase)."""
    day = today(ctx)
    held = await ctx.tx.tickets.overdue(day)
    pending = pending_units(held, ctx.catalog.unit_list(), day, await answers_since(ctx))
    return [p.unit_code for p in pending if chaseable(ctx, p.unit_code)]


def chaseable(ctx: HandlerContext, unit_code: str) -> bool:
    """Whether a unit may be chased about its tickets: it is in units.csv (a code no longer
    there has no name or conversation to send) and has not ceased to exist (a merged unit's
    tickets are the office's to hand on, with /giao; its old focal point is not asked)."""
    unit = ctx.catalog.units.get(unit_code)
    return unit is not None and not unit.has_ended(today(ctx))


async def prompt_text(
    ctx: HandlerContext, unit_code: str, period_label: str, deadline: datetime
) -> str:
    """The opening of a period for a unit that owes no form in it but holds overdue tickets."""
    held = await overdue(ctx, unit_code)
    return text(
        "chat_tickets.prompt_open",
        unit=ctx.catalog.units[unit_code].name,
        period=period_label,
        total=len(held.tickets),
        today=held.today,
        deadline=deadline,
        zone=ctx.catalog.zone,
    )


async def reminder_text(ctx: HandlerContext, unit_code: str, period_label: str) -> str:
    """A reminder to a unit with no figures left to send (sent, or no form owed this period)
    that has not answered about all its overdue tickets."""
    held = await overdue(ctx, unit_code)
    return text(
        "chat_tickets.reminder",
        unit=ctx.catalog.units[unit_code].name,
        period=period_label,
        total=len(held.tickets),
        pending=len(held.pending),
        today=held.today,
    )
