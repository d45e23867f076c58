"""One thing per message: a flagged value is questioned in a message of its own, its buttons
act on it alone, and the next question comes once it is kept (explained) or fixed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import Period
from handlers.events import Reply
from tests.support.world import World

FOCAL = 1002  # SYT


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    try:
        await opened.register(FOCAL, "SYT")
        await opened.command(FOCAL, "baocao")
        yield opened
    finally:
        await opened.close()


def stored(world: World) -> dict[str, tuple[object, object]]:
    """The unit's current answers by field key: (value, explanation)."""
    return {row[3]: (row[4], row[5]) for row in world.rows()["answers"]}


def buttons(reply: Reply) -> dict[str, str]:
    return {choice.label: choice.data for choice in reply.all_choices()}


async def flagged(world: World) -> Reply:
    for typed in ["259", "2.361", "472"]:
        await world.say(FOCAL, typed)
    (reply,) = await world.say(FOCAL, "1.914")  # 472 + 1.914 = 2.386, not 2.361
    return reply


async def test_the_warning_comes_alone_with_buttons_for_that_value(world: World) -> None:
    reply = await flagged(world)
    assert "472 + 1.914 = 2.386, nhưng «tổng số» là 2.361" in reply.text
    assert "Câu 5/5" not in reply.text  # the next question waits
    assert buttons(reply) == {"Giữ nguyên: tổng số": "why:tong", "Sửa: cá nhân": "fix:ca_nhan"}


@pytest.mark.parametrize("keep", ["typed", "old button"])
async def test_keep_keeps_the_flagged_value_with_an_explanation(world: World, keep: str) -> None:
    await flagged(world)
    if keep == "typed":
        (asked,) = await world.say(FOCAL, "Giữ nguyên")
    else:  # «Giữ nguyên» of an earlier question's message
        (asked,) = await world.press(FOCAL, "nav:keep")
    assert "vì sao «tổng số» đúng" in asked.text
    (after,) = await world.say(FOCAL, "25 chứng thư số đã thu hồi")
    assert "Đã ghi giải thích cho «tổng số»" in after.text
    assert "Câu 5/5" in after.text  # only now the next question
    answers = stored(world)
    assert answers["tong"] == ("2361", "25 chứng thư số đã thu hồi")
    assert answers["ca_nhan"] == ("1914", None)
    assert "ghi_chu" not in answers


@pytest.mark.parametrize("fix", ["typed", "button"])
async def test_fix_asks_the_flagged_value_again(world: World, fix: str) -> None:
    await flagged(world)
    (asked,) = await (
        world.say(FOCAL, "Sửa") if fix == "typed" else world.press(FOCAL, "fix:ca_nhan")
    )
    assert "Câu 4/5" in asked.text and "số đúng cho «cá nhân»" in asked.text
    (after,) = await world.say(FOCAL, "1.889")
    assert "Đã ghi: <b>1.889" in after.text and "⚠" not in after.text
    assert "Câu 5/5" in after.text
    assert stored(world)["ca_nhan"] == ("1889", None)


async def test_a_value_typed_while_flagged_lands_nowhere(world: World) -> None:
    await flagged(world)
    before = stored(world)
    (reply,) = await world.say(FOCAL, "Không có ghi chú")  # the next question's answer
    assert "Chưa ghi tin vừa gửi" in reply.text and "«cá nhân» đang chờ" in reply.text
    assert "nhưng «tổng số» là 2.361" in reply.text  # questioned again, with its buttons
    assert set(buttons(reply).values()) == {"why:tong", "fix:ca_nhan"}
    assert stored(world) == before


async def test_a_tenfold_value_is_questioned_once_and_kept(world: World) -> None:
    january = Period(2022, 1)
    async with world.db.write() as tx:
        await tx.obligations.ensure([Obligation("SYT", "cts", january)])
        await tx.answers.set(Answer("SYT", "cts", january.key, "cap_moi", "10"), "test")
    (reply,) = await world.say(FOCAL, "370")
    assert "Số này gấp 37 lần kỳ trước (10 → 370)" in reply.text
    assert "Câu 2/5" not in reply.text
    assert buttons(reply) == {"Giữ nguyên: cấp mới": "why:cap_moi", "Sửa: cấp mới": "fix:cap_moi"}
    await world.press(FOCAL, "why:cap_moi")
    (after,) = await world.say(FOCAL, "Đợt cấp cho toàn ngành y tế")
    assert "Câu 2/5" in after.text
    assert stored(world)["cap_moi"] == ("370", "Đợt cấp cho toàn ngành y tế")
    (ordinary,) = await world.say(FOCAL, "400")  # 400 ≥ 370: nothing to question
    assert "⚠" not in ordinary.text and "Câu 3/5" in ordinary.text
