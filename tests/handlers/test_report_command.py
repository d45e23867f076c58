"""/baocao MÃ opens the form named, not the unit's first one; a form already sent or unknown
is answered with what can be sent instead, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

from templates.catalog import text
from tests.support.world import World

A = 1001  # a focal point of VP, which owes two forms: cts, then ghichu


def _said(replies: list[object]) -> str:
    return "\n".join(getattr(r, "text", "") for r in replies)


def _states(world: World) -> dict[str, object]:
    return {r[1]: r[3] for r in world.rows()["obligations"] if r[2] == "VP"}


async def test_report_with_a_code_opens_that_form(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        opened = _said(await world.command(A, "baocao", "GHICHU"))
        await world.say(A, "Không có gì mới")
        await world.press(A, "sum:send")
        states = _states(world)
    finally:
        await world.close()
    assert "Ghi chú" in opened
    assert "Chứng thư số" not in opened
    assert states["ghichu"] == "submitted"
    assert states.get("cts") != "submitted"


async def test_report_with_a_sent_or_unknown_code_says_what_to_send(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "VP")
        await world.command(A, "baocao", "ghichu")
        await world.say(A, "Không có gì mới")
        await world.press(A, "sum:send")
        sent = _said(await world.command(A, "baocao", "ghichu"))
        unknown = _said(await world.command(A, "baocao", "dvc"))
        states = _states(world)
    finally:
        await world.close()
    assert sent == text("chat.report_form_sent", typed="ghichu", codes=["cts"], period="02/2022")
    assert unknown == text("chat.report_unknown_form", typed="dvc", codes=["cts"], period="02/2022")
    assert states["ghichu"] == "submitted"
    assert states.get("cts") != "submitted"
