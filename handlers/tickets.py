"""A unit's overdue citizen-feedback tickets in chat (/phananh, or the button under its period
prompt): the list in pages, "Đã xử lý" or "Đang xử lý" per ticket (then an expected date and
an optional reason), and "Tất cả vẫn đang xử lý" for the rest at once.

Every button names its unit, and a ticket is looked up only among that unit's overdue
tickets after checking the person is the unit's focal point: forged data reaches nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.ticket_answers import DateProblem, find_by_token, parse_expected, ticket_token
from domain.tickets import REASON_MAX, Ticket, TicketStatus, clean_text
from domain.unit_matching import fold
from handlers import ticket_overdue
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Choice, Incoming, Reply, named_choice
from handlers.paging import page_count, page_moves
from handlers.registration import stranger_reply
from handlers.unit_buttons import (
    SkipReason,
    TicketButton,
    TicketHandled,
    TicketInProgress,
    TicketPage,
    TicketsAllInProgress,
)
from templates.catalog import text

PAGE_SIZE = 5
# Summaries and reasons are cut in the list so that a page of PAGE_SIZE tickets with the
# longest ids stays well under Telegram's 4096 characters.
SUMMARY_SHOWN = 300
REASON_SHOWN = 150
# A button names its ticket by id, cut from the left past this length: ids tend to differ
# in their last characters (a running number), so the tail is what tells them apart.
ID_SHOWN = 20

# Typed words that work like the buttons (Zalo users and typing habits), folded.
_WORD_ALL = ("tat ca", "tat ca van dang xu ly")
_WORD_SKIP = ("bo qua",)
_WORD_NEXT = ("trang sau",)
_WORD_PREVIOUS = ("trang truoc",)


def awaits_ticket(state: ConversationState) -> bool:
    """Whether the person is in the tickets conversation."""
    return state.awaiting in (Awaiting.TICKETS, Awaiting.TICKET_DATE, Awaiting.TICKET_REASON)


def _answers_for(ctx: HandlerContext, units: list[str], unit_code: str) -> bool:
    """Whether the person answers for this unit and the unit is still configured (a unit
    dropped from units.csv keeps its registrations, but has no name or tickets to show)."""
    return unit_code in units and unit_code in ctx.catalog.units


async def start(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """/phananh: the overdue tickets of the person's unit (asking which when several hold some)."""
    chat_id = event.sender.chat_id
    usable = [code for code in units if code in ctx.catalog.units]
    day = ticket_overdue.today(ctx)
    holding = [code for code in usable if await ctx.tx.tickets.overdue(day, code)]
    if len(holding) > 1:
        choices = tuple(
            (named_choice(ctx.catalog.units[code].name, TicketPage(code, 1).pack()),)
            for code in holding
        )
        state.awaiting = Awaiting.TICKETS
        return [Reply(chat_id=chat_id, text=text("chat_tickets.pick_unit"), choices=choices)]
    chosen = holding[0] if holding else (usable[0] if usable else "")
    if not chosen:
        return [stranger_reply(event)]
    return [await _page(ctx, chat_id, state, chosen, 1)]


async def button(
    ctx: HandlerContext,
    event: Incoming,
    pressed: TicketButton,
    state: ConversationState,
    units: list[str],
) -> list[Reply]:
    """A button of the tickets conversation (or its typed number on Zalo)."""
    chat_id = event.sender.chat_id
    if isinstance(pressed, SkipReason):
        return await _skip_reason(ctx, event, state, units)
    unit_code = pressed.unit_code
    if not _answers_for(ctx, units, unit_code):
        # A forged or stale button: never reach another unit's tickets.
        return [Reply(chat_id=chat_id, text=text("chat.not_your_unit"))]
    if isinstance(pressed, TicketPage):
        return [await _page(ctx, chat_id, state, unit_code, pressed.page)]
    if isinstance(pressed, TicketsAllInProgress):
        return [await _all_in_progress(ctx, event, state, unit_code)]
    overdue = await ticket_overdue.overdue(ctx, unit_code)
    ticket = find_by_token(overdue.tickets, pressed.token)
    if ticket is None:
        return [await _gone(ctx, chat_id, state, unit_code)]
    if isinstance(pressed, TicketHandled):
        await _record(ctx, event, ticket, unit_code, TicketStatus.HANDLED)
        note = text("chat_tickets.recorded_handled", id=ticket.id)
        return [await _page(ctx, chat_id, state, unit_code, state.ticket_page, note)]
    # In progress: the date comes next.
    state.awaiting, state.ticket_unit, state.ticket_id = Awaiting.TICKET_DATE, unit_code, ticket.id
    return [_ask_date(ctx, chat_id, state, ticket.id)]


async def typed(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    """A text while the tickets conversation waits: a date, a reason, or a typed word."""
    chat_id = event.sender.chat_id
    unit_code = state.ticket_unit
    if not _answers_for(ctx, units, unit_code):
        state.awaiting = Awaiting.NOTHING
        return [Reply(chat_id=chat_id, text=text("chat_tickets.hint"))]
    word = " ".join(fold(event.text).split())
    if state.awaiting is Awaiting.TICKET_DATE:
        return [await _take_date(ctx, event, state, unit_code)]
    if state.awaiting is Awaiting.TICKET_REASON:
        if word in _WORD_SKIP:
            return await _skip_reason(ctx, event, state, units)
        return [await _take_reason(ctx, event, state, unit_code)]
    if word in _WORD_ALL:
        return [await _all_in_progress(ctx, event, state, unit_code)]
    if word in _WORD_NEXT or word in _WORD_PREVIOUS:
        step = 1 if word in _WORD_NEXT else -1
        return [await _page(ctx, chat_id, state, unit_code, state.ticket_page + step)]
    return [Reply(chat_id=chat_id, text=text("chat_tickets.hint", typed=event.text.strip()[:40]))]


async def _page(
    ctx: HandlerContext,
    chat_id: str,
    state: ConversationState,
    unit_code: str,
    page: int,
    note: str = "",
) -> Reply:
    """One page of the unit's overdue tickets, with a pair of buttons per ticket."""
    overdue = await ticket_overdue.overdue(ctx, unit_code)
    unit = ctx.catalog.units[unit_code]
    state.ticket_unit, state.ticket_id = unit_code, ""
    if not overdue.tickets:
        # Leave a question of the figures being answered as it was: only end the tickets.
        if state.awaiting in (Awaiting.TICKETS, Awaiting.TICKET_DATE, Awaiting.TICKET_REASON):
            state.awaiting = Awaiting.NOTHING
        state.ticket_page = 1
        body = text("chat_tickets.none_overdue", unit=unit.name)
        return Reply(chat_id=chat_id, text="\n\n".join(part for part in (note, body) if part))
    pages = page_count(len(overdue.tickets), PAGE_SIZE)
    page = min(max(page, 1), pages)
    state.awaiting, state.ticket_page = Awaiting.TICKETS, page
    first = (page - 1) * PAGE_SIZE
    shown = overdue.tickets[first : first + PAGE_SIZE]
    items = [
        {
            "id": t.id,
            "received": t.received_on,
            "days": t.days_overdue(overdue.today),
            "summary": clean_text(t.summary, SUMMARY_SHOWN),
            "answered": t.answered_since(overdue.since),
            "expected": t.expected_on,
            "reason": clean_text(t.reason, REASON_SHOWN) if t.reason else None,
        }
        for i, t in enumerate(shown)
    ]
    pending = len(overdue.pending)
    body = text(
        "chat_tickets.page",
        unit=unit.name,
        total=len(overdue.tickets),
        today=overdue.today,
        pending=pending,
        page=page,
        pages=pages,
        items=items,
    )
    rows: list[tuple[Choice, ...]] = []
    for ticket in shown:
        # Labelled by the ticket's id, not its place in the list: where choices are numbered
        # (Zalo, the console) a place number next to the choice number invites typing the
        # wrong one, and places shift as answered tickets leave the list.
        token, label = ticket_token(ticket.id), _button_id(ticket.id)
        rows.append(
            (
                Choice(
                    text("chat_tickets.button_handled", id=label),
                    TicketHandled(unit_code, token).pack(),
                ),
                Choice(
                    text("chat_tickets.button_in_progress", id=label),
                    TicketInProgress(unit_code, token).pack(),
                ),
            )
        )
    moves = page_moves(page, pages, lambda n: TicketPage(unit_code, n))
    if moves:
        rows.append(moves)
    if pending:
        everything = TicketsAllInProgress(unit_code).pack()
        rows.append((Choice(text("chat_tickets.button_all"), everything),))
    message = "\n\n".join(part for part in (note, body) if part)
    return Reply(chat_id=chat_id, text=message, choices=tuple(rows))


def _button_id(ticket_id: str) -> str:
    """A ticket id short enough for a button: its last characters when it is long."""
    if len(ticket_id) <= ID_SHOWN:
        return ticket_id
    return "…" + ticket_id[-(ID_SHOWN - 1) :]


def _example(ctx: HandlerContext) -> str:
    """A week from today, in full and as typed short: "18/02/2022 hoặc 18/2"."""
    day = ticket_overdue.today(ctx) + timedelta(days=7)
    return text("chat_tickets.date_example", full=day, day=day.day, month=day.month)


def _ask_date(ctx: HandlerContext, chat_id: str, state: ConversationState, ticket_id: str) -> Reply:
    back = _back_to_list(state.ticket_unit, state.ticket_page)
    body = text("chat_tickets.ask_date", id=ticket_id, example=_example(ctx))
    return Reply(chat_id=chat_id, text=body, choices=((back,),))


def _back_to_list(unit_code: str, page: int) -> Choice:
    """«Back to the list», at the page the person was on."""
    return Choice(text("chat_tickets.button_list"), TicketPage(unit_code, page).pack())


async def _current(ctx: HandlerContext, state: ConversationState, unit_code: str) -> Ticket | None:
    """The ticket being answered, if it is still the unit's and overdue."""
    ticket = await ctx.tx.tickets.get(state.ticket_id)
    if (
        ticket is None
        or ticket.unit_code != unit_code
        or not ticket.is_overdue(ticket_overdue.today(ctx))
    ):
        return None
    return ticket


async def _gone(
    ctx: HandlerContext, chat_id: str, state: ConversationState, unit_code: str
) -> Reply:
    """The list again, saying the ticket being answered has left it."""
    note = text("chat_tickets.gone")
    return await _page(ctx, chat_id, state, unit_code, state.ticket_page, note)


def _with_skip(chat_id: str, body: str) -> Reply:
    """`body` with the «Bỏ qua» choice that leaves the reason out."""
    skip = Choice(text("chat_tickets.button_skip"), SkipReason().pack())
    return Reply(chat_id=chat_id, text=body, choices=((skip,),))


async def _take_date(
    ctx: HandlerContext, event: Incoming, state: ConversationState, unit_code: str
) -> Reply:
    chat_id = event.sender.chat_id
    ticket = await _current(ctx, state, unit_code)
    if ticket is None:
        return await _gone(ctx, chat_id, state, unit_code)
    typed_text = event.text.strip()
    parsed = parse_expected(typed_text, ticket_overdue.today(ctx))
    if isinstance(parsed, DateProblem):
        body = text(
            "chat_tickets.date_problem",
            problem=parsed.value,
            typed=typed_text[:40],
            today=ticket_overdue.today(ctx),
            example=_example(ctx),
        )
        back = _back_to_list(unit_code, state.ticket_page)
        return Reply(chat_id=chat_id, text=body, choices=((back,),))
    # Stored at once: the date is acknowledged before the optional reason is asked.
    await _record(
        ctx,
        event,
        ticket,
        unit_code,
        TicketStatus.IN_PROGRESS,
        expected=parsed,
        reason=ticket.reason,
    )
    state.awaiting = Awaiting.TICKET_REASON
    return _with_skip(chat_id, text("chat_tickets.ask_reason", id=ticket.id, expected=parsed))


async def _take_reason(
    ctx: HandlerContext, event: Incoming, state: ConversationState, unit_code: str
) -> Reply:
    chat_id = event.sender.chat_id
    ticket = await _current(ctx, state, unit_code)
    if ticket is None:
        return await _gone(ctx, chat_id, state, unit_code)
    reason = clean_text(event.text, REASON_MAX + 1)
    if len(reason) > REASON_MAX or not reason:
        return _with_skip(chat_id, text("chat_tickets.reason_too_long", limit=REASON_MAX))
    await _record(
        ctx,
        event,
        ticket,
        unit_code,
        TicketStatus.IN_PROGRESS,
        expected=ticket.expected_on,
        reason=reason,
    )
    note = text("chat_tickets.recorded_reason", id=ticket.id)
    return await _page(ctx, chat_id, state, unit_code, state.ticket_page, note)


async def _skip_reason(
    ctx: HandlerContext, event: Incoming, state: ConversationState, units: list[str]
) -> list[Reply]:
    chat_id = event.sender.chat_id
    unit_code = state.ticket_unit
    if state.awaiting is not Awaiting.TICKET_REASON or not _answers_for(ctx, units, unit_code):
        return [Reply(chat_id=chat_id, text=text("chat.stale_button"))]
    note = text("chat_tickets.reason_skipped", id=state.ticket_id)
    return [await _page(ctx, chat_id, state, unit_code, state.ticket_page, note)]


async def _all_in_progress(
    ctx: HandlerContext, event: Incoming, state: ConversationState, unit_code: str
) -> Reply:
    """Every ticket the unit has not answered about: still in progress (dates kept)."""
    overdue = await ticket_overdue.overdue(ctx, unit_code)
    pending = overdue.pending
    for ticket in pending:
        await _record(
            ctx,
            event,
            ticket,
            unit_code,
            TicketStatus.IN_PROGRESS,
            expected=ticket.expected_on,
            reason=ticket.reason,
        )
    note = text("chat_tickets.recorded_all", count=len(pending))
    return await _page(ctx, event.sender.chat_id, state, unit_code, state.ticket_page, note)


async def _record(
    ctx: HandlerContext,
    event: Incoming,
    ticket: Ticket,
    unit_code: str,
    status: TicketStatus,
    *,
    expected: date | None = None,
    reason: str | None = None,
) -> None:
    """Store the unit's answer as the ticket's revisions (who, when, old, new)."""
    await ctx.tx.tickets.report_status(
        ticket.id,
        status,
        event.sender.person_key,
        unit_code=unit_code,
        expected_on=expected,
        reason=reason,
        source_message=event.message_ref or None,
        at=ctx.now,
    )
