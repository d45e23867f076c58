"""/giao: the office gives a ticket the import could not match to a unit (kept aside until
then), as `baocao tickets assign` does. Without arguments it lists the unassigned tickets
with the import's suggestion, each with a button that gives the ticket to the suggested unit.
"""

from __future__ import annotations

from domain.ticket_answers import find_by_token, ticket_token
from domain.tickets import clean_text
from handlers.context import HandlerContext
from handlers.events import Choice, Incoming, Reply
from handlers.office_buttons import AssignTicket
from handlers.ticket_assignment import TicketAssignment, assign_ticket
from storage.repos.tickets import AssignOutcome
from templates.catalog import text

# The list stays well under a chat message's 4096 characters; the rest waits for the next
# /giao (assigned tickets leave the list) or the command line (`baocao tickets list`).
LISTED = 20
UNIT_TEXT_SHOWN = 80
ID_SHOWN = 20


async def assign_command(ctx: HandlerContext, event: Incoming) -> list[Reply]:
    """/giao [MÃ_PHIẾU MÃ_ĐƠN_VỊ]: list the unassigned tickets, or give one to a unit."""
    chat_id = event.sender.chat_id
    ticket_id, _, unit_typed = event.argument.strip().partition(" ")
    if not ticket_id:
        return [await _listing(ctx, chat_id)]
    if not unit_typed.strip():
        return [Reply(chat_id=chat_id, text=text("chat_tickets.assign_usage", id=ticket_id))]
    return [await _assign(ctx, event, ticket_id, unit_typed.strip())]


async def button(ctx: HandlerContext, event: Incoming, pressed: AssignTicket) -> list[Reply]:
    """The «give to the suggested unit» button of the list."""
    unit_code = pressed.unit_code
    ticket = find_by_token(await ctx.tx.tickets.unmatched(), pressed.token)
    if ticket is None or unit_code not in ctx.catalog.units:
        # Assigned meanwhile, or forged: the list as it stands now.
        note = text("chat_tickets.assign_gone")
        return [await _listing(ctx, event.sender.chat_id, note)]
    return [await _assign(ctx, event, ticket.id, unit_code)]


async def _assign(ctx: HandlerContext, event: Incoming, ticket_id: str, unit_named: str) -> Reply:
    """Give the ticket to the unit named, and say how it went (with the list, if any left)."""
    chat_id = event.sender.chat_id
    done = await assign_ticket(
        ctx.tx,
        ctx.catalog.unit_list(),
        ticket_id,
        unit_named,
        event.sender.person_key,
        source_message=event.message_ref or None,
        at=ctx.now,
    )
    if done.outcome is AssignOutcome.NO_TICKET:
        return Reply(chat_id=chat_id, text=text("chat_tickets.assign_no_ticket", id=ticket_id))
    if done.outcome is AssignOutcome.NO_UNIT:
        return Reply(chat_id=chat_id, text=_no_unit(done, ticket_id, unit_named))
    assert done.unit is not None
    note = text(
        "chat_tickets.assigned",
        id=ticket_id,
        unit=done.unit.name,
        code=done.unit.code,
        unchanged=done.outcome is AssignOutcome.UNCHANGED,
        before=done.previous.name if done.previous is not None else None,
    )
    if not await ctx.tx.tickets.unmatched():
        return Reply(chat_id=chat_id, text=note)
    return await _listing(ctx, chat_id, note)


def _no_unit(done: TicketAssignment, ticket_id: str, unit_named: str) -> str:
    """No such unit (with the closest one, if any); or one the database does not hold yet
    (configured since the bot synced its units at start): named by its code."""
    suggested = done.suggestion
    return text(
        "chat_tickets.assign_no_unit",
        unit=done.unit.code if done.unit is not None else unit_named[:UNIT_TEXT_SHOWN],
        id=ticket_id,
        name=suggested.name if suggested else None,
        code=suggested.code if suggested else None,
    )


async def _listing(ctx: HandlerContext, chat_id: str, note: str = "") -> Reply:
    """The unassigned tickets (oldest first), their suggestion, a button for each suggestion."""
    unmatched = await ctx.tx.tickets.unmatched()
    shown = unmatched[:LISTED]
    items = []
    rows: list[tuple[Choice, ...]] = []
    for ticket in shown:
        suggested = ctx.catalog.units.get(ticket.suggestion or "")
        items.append(
            {
                "id": ticket.id,
                "received": ticket.received_on,
                "unit_text": clean_text(ticket.unit_text, UNIT_TEXT_SHOWN),
                "name": suggested.name if suggested else None,
                "code": suggested.code if suggested else None,
            }
        )
        if suggested is not None:
            label = text("chat_tickets.button_assign", id=_short(ticket.id), code=suggested.code)
            data = AssignTicket(ticket_token(ticket.id), suggested.code).pack()
            rows.append((Choice(label, data),))
    body = text(
        "chat_tickets.assign_list", items=items, total=len(unmatched), more=len(unmatched) - LISTED
    )
    message = "\n\n".join(part for part in (note, body) if part)
    return Reply(chat_id=chat_id, text=message, choices=tuple(rows))


def _short(ticket_id: str) -> str:
    """A ticket id short enough for a button: its tail (the running number) when long."""
    return ticket_id if len(ticket_id) <= ID_SHOWN else "…" + ticket_id[-(ID_SHOWN - 1) :]
