"""/phananh with no overdue ticket, typed in the middle of the figures, leaves the question
being answered as it was: the next number typed answers it (it got the help before)."""

from __future__ import annotations

from pathlib import Path

from templates.catalog import text
from tests.support.world import World

A = 1001  # SYT, no ticket imported


async def test_the_question_being_answered_survives_a_phananh_with_nothing_overdue(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")  # Câu 1/5
        (none,) = await world.command(A, "phananh")
        (answered,) = await world.say(A, "259")
    finally:
        await world.close()
    assert none.text == text("chat_tickets.none_overdue", unit="Sở Y tế")
    assert answered.text.startswith("✓ Đã ghi: <b>259 chứng thư số</b>")
    assert "Câu 2/5" in answered.text
