"""A typed number answers the choices of the newest message: the period prompt (or a
reminder) that arrives after a conversation, not the choices that conversation showed last.

On Zalo and in the console choices are numbered lines, and the prompt's "1. 📝 Nhập số liệu"
is what a focal point answers with "1" weeks after their last conversation.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from domain.tickets import TicketStatus
from handlers import ticket_overdue, unit_prompts
from handlers.context import HandlerContext
from templates.catalog import text
from tests.support.clock import START
from tests.support.world import World

FOCAL = 1001  # SYT
CSV = (
    "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
    "PA-1,03/01/2022,13/01/2022,Sở Y tế,Thư,Đang xử lý\n"
    "PA-2,04/01/2022,14/01/2022,Sở Y tế,Thư,Đang xử lý\n"
).encode()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    try:
        yield opened
    finally:
        await opened.close()


async def _prompt(world: World) -> None:
    """The period prompt to SYT's focal points, as the scheduler queues it."""
    async with world.db.write() as tx:
        ctx = HandlerContext(world.office, world.catalog, START, tx)
        unit = world.catalog.units["SYT"]
        more = await ticket_overdue.prompt_choice(ctx, unit.code)
        assert await unit_prompts.to_focal_points(ctx, unit, "Kỳ báo cáo mới", more)


async def test_a_typed_number_after_a_prompt_picks_the_prompts_choice(world: World) -> None:
    await world.register(FOCAL, "SYT")
    await world.import_tickets(CSV, date(2022, 2, 11))
    await world.command(FOCAL, "phananh")  # the ticket page: "1." was PA-1's "handled"
    await _prompt(world)

    (reply,) = await world.say(FOCAL, "1")  # the prompt's "1. 📝 Nhập số liệu"

    assert text("chat_tickets.recorded_handled", id="PA-1") not in reply.text
    async with world.db.read() as view:
        first = await view.tickets.get("PA-1")
    assert first is not None and first.status is TicketStatus.IN_PROGRESS
    assert "Sở Y tế" in reply.text and "1/" in reply.text  # the form began at its first question
    (tickets_page,) = await world.command(FOCAL, "phananh")
    assert "Phiếu PA-1" in tickets_page.text
