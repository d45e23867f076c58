"""A unit dropped from units.csv while its focal point was answering about a ticket: the
next typed line gets the tickets hint, not an error."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from domain.ticket_answers import ticket_token
from handlers.conversation import Awaiting
from templates.catalog import text
from tests.support.world import World

FOCAL = 1001  # SYT
CSV = (
    "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
    "PA-1,03/01/2022,13/01/2022,Sở Y tế,Thư,Đang xử lý\n"
).encode()


async def test_a_typed_date_for_a_dropped_unit_gets_the_hint(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(FOCAL, "SYT")
        await world.import_tickets(CSV, date(2022, 2, 11))
        (ask,) = await world.press(FOCAL, f"tki:SYT:{ticket_token('PA-1')}")
        assert "PA-1" in ask.text
        units = {code: unit for code, unit in world.catalog.units.items() if code != "SYT"}
        world.catalog = replace(world.catalog, units=units)

        (reply,) = await world.say(FOCAL, "28/02/2022")

        assert reply.text == text("chat_tickets.hint")
        async with world.db.read() as view:
            ticket = await view.tickets.get("PA-1")
            stored = await view.conversations.get("telegram", str(FOCAL))
        assert ticket is not None and ticket.expected_on is None
        assert stored is not None and stored["awaiting"] == Awaiting.NOTHING.value
    finally:
        await world.close()
