"""A unit that has ceased to exist since its period's cut-off still owes that period's
figures, but is not chased about the tickets it holds (they are the office's to hand on):
neither by the timetable once its figures are in nor on its figures reminders, as /nhacnho
already leaves it out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.obligations import ObligationState
from domain.periods import Period
from handlers import schedule
from handlers.context import HandlerContext
from handlers.events import Reply
from tests.support.world import World

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FEBRUARY = Period(2022, 2)  # 15/01 to 14/02/2022, due 15/02/2022 at 17:00
SYT_FOCAL = 1001
BDT_FOCAL = 1002
CSV = (
    "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
    "PA-1,03/01/2022,13/01/2022,Sở Y tế,Thư,Đang xử lý\n"
    "PA-2,04/01/2022,14/01/2022,Bưu điện tỉnh <Trà Vinh> & Co,Thư,Đang xử lý\n"
).encode()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    # SYT is merged away after the cut-off: it owes 02/2022 (in force on 14/02), then ends.
    units = dict(opened.catalog.units)
    units["SYT"] = replace(units["SYT"], effective_to=date(2022, 2, 14))
    opened.catalog = replace(opened.catalog, units=units)
    try:
        yield opened
    finally:
        await opened.close()


async def _steps(world: World, now: datetime) -> list[Reply]:
    async with world.db.write() as tx:
        ctx = HandlerContext(world.office, world.catalog, now, tx)
        return (await schedule.run_due_steps(ctx)).replies


async def _submit(world: World, unit_code: str) -> None:
    async with world.db.write() as tx:
        await tx.obligations.set_state(unit_code, "cts", FEBRUARY, ObligationState.SUBMITTED)


def _to(replies: list[Reply], user: int) -> list[Reply]:
    return [r for r in replies if r.chat_id == str(user)]


async def test_an_ended_unit_is_not_chased_about_its_tickets_once_its_figures_are_in(
    world: World,
) -> None:
    for user, unit in ((SYT_FOCAL, "SYT"), (BDT_FOCAL, "BDT")):
        await world.register(user, unit)
    await world.import_tickets(CSV, date(2022, 2, 11))
    await _steps(world, datetime(2022, 2, 11, 9, tzinfo=VN))  # the opening
    for unit in ("SYT", "BDT"):
        await _submit(world, unit)

    replies = await _steps(world, datetime(2022, 2, 15, 9, tzinfo=VN))  # the deadline's morning

    # BDT, still in force, is reminded of its unanswered ticket; SYT, ended, is not.
    assert len(_to(replies, BDT_FOCAL)) == 1
    assert _to(replies, SYT_FOCAL) == []
    async with world.db.write() as tx:
        ctx = HandlerContext(world.office, world.catalog, datetime(2022, 2, 15, 9, tzinfo=VN), tx)
        assert [u.code for u in await schedule.ticket_laggards(ctx, FEBRUARY)] == ["BDT"]


async def test_an_ended_units_figures_reminder_has_no_tickets_button(world: World) -> None:
    await world.register(SYT_FOCAL, "SYT")
    await world.import_tickets(CSV, date(2022, 2, 11))
    await _steps(world, datetime(2022, 2, 11, 9, tzinfo=VN))

    replies = _to(await _steps(world, datetime(2022, 2, 16, 9, tzinfo=VN)), SYT_FOCAL)

    (late,) = replies  # its figures are still owed: reminded of them
    buttons = [choice.data for row in late.choices for choice in row]
    assert not any(data.startswith("tkp:") for data in buttons)
