"""The office's view of overdue tickets (a page of /trangthai): overdue tickets per unit and
which units have not answered about theirs."""

from __future__ import annotations

from domain.calendar import local_day
from domain.ticket_figures import overdue_by_unit, pending_units
from handlers.context import HandlerContext
from handlers.events import Choice, Reply
from handlers.office_buttons import TicketOverview
from handlers.paging import lines_page, page_moves
from handlers.ticket_overdue import answers_since
from templates.catalog import text


def view_button() -> Choice:
    """The button under /trangthai that opens this view."""
    return Choice(text("chat_tickets.button_office_view"), TicketOverview(1).pack())


async def view_page(ctx: HandlerContext, chat_id: str, page: int) -> Reply:
    """One page of the overdue tickets by unit, answered or not, with buttons to other pages."""
    today = local_day(ctx.now, ctx.catalog.regime.timezone)
    since = await answers_since(ctx)
    tickets = await ctx.tx.tickets.overdue(today)
    units = ctx.catalog.unit_list()
    by_unit, unassigned = overdue_by_unit(tickets, units, today)
    pending = {p.unit_code: p for p in pending_units(tickets, units, today, since)}
    rows = [
        {
            "name": u.unit_name,
            "overdue": u.count,
            "pending": len(pending[u.unit_code].unanswered) if u.unit_code in pending else 0,
        }
        for u in by_unit
    ]
    silent = [p.unit_name for p in pending.values() if len(p.unanswered) == p.overdue]
    head = text(
        "chat_tickets.office_view",
        today=today,
        total=len(tickets),
        units_count=len(by_unit),
        unassigned=unassigned,
        answered_units=sum(1 for r in rows if not r["pending"]),
        since=since,
        zone=ctx.catalog.zone,
    )
    lines = text("chat_tickets.office_view_lines", units=rows, silent=silent).splitlines()
    body, page, pages = lines_page(lines, page)
    footer = text("chat_tickets.office_view_page", page=page, pages=pages) if pages > 1 else ""
    buttons = page_moves(page, pages, TicketOverview)
    message = "\n\n".join(part for part in (head, body, footer) if part)
    return Reply(chat_id=chat_id, text=message, choices=(buttons,) if buttons else ())
