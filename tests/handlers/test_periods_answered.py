"""A period the office opens by hand (/mo) besides the current one is answerable by the
units it prompted: each prompt carries its period, and /baocao asks which period."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from domain.periods import Period
from handlers.context import HandlerContext
from handlers.events import Reply
from handlers.schedule import StepOutcome, run_due_steps
from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

A = 1001  # a focal point of SYT, which owes the cts form


def _said(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def _data(replies: list[Reply]) -> list[str]:
    return [c.data for r in replies for c in r.all_choices()]


def _obligations(world: World) -> dict[str, object]:
    return {r[0]: r[3] for r in world.rows()["obligations"] if r[2] == "SYT"}


async def test_a_past_period_opened_by_hand_is_answered_by_the_unit(tmp_path: Path) -> None:
    world = await World.open(tmp_path)  # 11/02/2022: period 02/2022 is the current one
    try:
        await world.register(A, "SYT")
        opened = await world.command(OFFICE_USER, "mo", "01/2022")
        prompt = [r for r in opened if "Kỳ báo cáo 01/2022 đã mở" in r.text]
        assert len(prompt) == 1 and _data(prompt)[0] == "unit:SYT:2022-01"

        asked = await world.command(A, "baocao")
        body = text("chat.pick_period", unit="Sở Y tế", periods=["01/2022", "02/2022"])
        assert _said(asked) == body
        assert _data(asked) == ["unit:SYT:2022-01", "unit:SYT:2022-02"]
        started = _said(await world.press(A, "unit:SYT:2022-01"))
        assert "Chứng thư số, kỳ 01/2022" in started
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")
        receipt = _said(await world.press(A, "sum:send"))
        assert "Đã nhận báo cáo «Chứng thư số» kỳ 01/2022" in receipt
        assert _obligations(world)["2022-01"] == "submitted_late"
        # /sua reaches the period opened by hand too.
        edit = _said(await world.command(A, "sua"))
        assert "Báo cáo «Chứng thư số» kỳ 01/2022" in edit

        # Only 02/2022 is left to send: /baocao goes straight to it.
        current = _said(await world.command(A, "baocao"))
        assert "Chứng thư số, kỳ 02/2022" in current
    finally:
        await world.close()


async def test_a_prompt_button_of_a_period_no_longer_open_starts_the_current_one(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        started = _said(await world.press(A, "unit:SYT:2022-01"))
        old_button = _said(await world.press(A, "unit:SYT"))  # as version 1 sent it
    finally:
        await world.close()
    assert "Chứng thư số, kỳ 02/2022" in started
    assert "Chứng thư số, kỳ 02/2022" in old_button


async def _tick(world: World) -> StepOutcome:
    async with world.db.write() as tx:
        return await run_due_steps(HandlerContext(world.office, world.catalog, world.now, tx))


async def test_going_live_between_periods_starts_at_the_first_period(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        regime = replace(world.catalog.regime, first_period=Period(2022, 3))
        world.catalog = replace(world.catalog, regime=regime)
        # Live on Monday 21/02/2022: 02/2022 is six days past its deadline, 03/2022 opens 10/03.
        world.now = datetime(2022, 2, 21, 2, tzinfo=UTC)
        await world.register(A, "SYT")
        outcome = await _tick(world)
        assert outcome.sent == outcome.skipped == [] and outcome.replies == []
        status = _said(await world.command(OFFICE_USER, "trangthai"))
        assert "Tiến độ báo cáo kỳ 03/2022" in status
        assert "Chứng thư số, kỳ 03/2022" in _said(await world.command(A, "baocao"))

        world.now = datetime(2022, 3, 10, 1, tzinfo=UTC)  # 08:00: 03/2022 opens
        outcome = await _tick(world)
        assert ("2022-03", "SYT", "open") in outcome.sent
        assert not [step for step in outcome.sent + outcome.skipped if step[0] == "2022-02"]

        # The office may still collect 02/2022: opened by hand, the unit can answer it.
        opened = await world.command(OFFICE_USER, "mo", "02/2022")
        assert any("Kỳ báo cáo 02/2022 đã mở" in r.text for r in opened)
        asked = await world.command(A, "baocao")
        assert _data(asked) == ["unit:SYT:2022-02", "unit:SYT:2022-03"]
        assert "Chứng thư số, kỳ 02/2022" in _said(await world.press(A, "unit:SYT:2022-02"))
    finally:
        await world.close()
