"""/sua reopens a report the unit has sent, even while it is filling in its next form."""

from __future__ import annotations

from pathlib import Path

from templates.catalog import text
from tests.support.world import World

A = 1001  # a focal point of VP, which owes two forms: cts, then ghichu


def _said(replies: list[object]) -> str:
    return "\n".join(getattr(r, "text", "") for r in replies)


async def test_edit_on_the_next_form_reopens_the_sent_one_not_the_blank_one(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 30\n3: 10\n4: 20")  # cts answered, summary shown
        await world.press(A, "sum:send")
        following = _said(await world.command(A, "baocao"))  # on to the second form
        edit = _said(await world.command(A, "sua"))
        rows = world.rows()
    finally:
        await world.close()
    assert "Ghi chú" in following
    assert text("chat.reopened") in edit
    assert "Tóm tắt: Chứng thư số" in edit
    assert "Ghi chú" not in edit
    assert ("2022-02", "cts", "VP", "reopened") in {r[:4] for r in rows["obligations"]}


async def test_edit_before_anything_was_sent_says_there_is_nothing_to_edit(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao")
        edit = _said(await world.command(A, "sua"))
    finally:
        await world.close()
    assert edit == text("chat.nothing_to_edit", period="02/2022")
