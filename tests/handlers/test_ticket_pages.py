"""A page of overdue tickets fits one Telegram message even with the longest ids, summaries
and reasons, and its buttons fit Telegram's 64 bytes of callback data."""

from __future__ import annotations

from datetime import date

from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import ReportingRegime
from domain.ticket_import import ImportedTicket
from domain.tickets import ID_MAX, REASON_MAX, SUMMARY_MAX, TicketStatus
from domain.units import Unit
from handlers import tickets
from handlers.context import Catalog, HandlerContext, Office
from handlers.conversation import ConversationState
from handlers.events import EventKind, Incoming, Sender
from storage import Database
from tests.support.clock import START

FORM = Form("f", "Biểu mẫu", (Field("a", "A?", FieldType.INTEGER, FieldKind.FLOW),))
UNIT = Unit("U" * 20, "Ủy ban nhân dân " * 12, "xa", ("f",))
TELEGRAM_TEXT_LIMIT = 4096


async def test_the_longest_page_fits_one_message(db: Database) -> None:
    catalog = Catalog({UNIT.code: UNIT}, {"f": FORM}, ReportingRegime())
    rows = [
        ImportedTicket(
            line=n,
            id=f"{n:0{ID_MAX}d}",
            received_on=date(2022, 1, 1),
            status=TicketStatus.IN_PROGRESS,
            due_on=date(2022, 1, 10),
            unit_code=UNIT.code,
            summary="Nội dung phản ánh <dài> & " * (SUMMARY_MAX // 20),
        )
        for n in range(1, 8)
    ]
    async with db.write() as tx:
        await tx.units.sync_all([UNIT])
        await tx.tickets.save_imported(rows, "test", at=START)
        for row in rows:
            await tx.tickets.report_status(
                row.id, TicketStatus.IN_PROGRESS, "t:1", reason="Lý do " * REASON_MAX, at=START
            )
        ctx = HandlerContext(Office("Sở", frozenset()), catalog, START, tx)
        event = Incoming(Sender("telegram", "1", "1"), EventKind.COMMAND, START, command="phananh")
        state = ConversationState()
        (page,) = await tickets.start(ctx, event, state, [UNIT.code])
    assert len(page.text) < TELEGRAM_TEXT_LIMIT
    assert "Trang 1/2" in page.text and "&lt;dài&gt;" in page.text
    assert all(len(c.data.encode()) <= 64 for c in page.all_choices())
    assert len(page.all_choices()) == 2 * tickets.PAGE_SIZE + 1  # no pending: no "all" button
    # The longest ids are shown by their tails on the buttons: short, and still distinct.
    labels = [c.label for c in page.all_choices()[: 2 * tickets.PAGE_SIZE]]
    assert len(set(labels)) == len(labels) and all(len(label) < 40 for label in labels)
