"""A question that may have been shown twice: its repeated answer never lands on the next
question (handlers/repeats.py), and a restart drops what the conversation moved past."""

from __future__ import annotations

from pathlib import Path

from domain.periods import Period
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import Reply
from handlers.repeats import ASKS, FLAGS, flag_in_doubt, in_doubt
from tests.support.world import World

A = 1004  # a focal point of SYT: «Chứng thư số», cap_moi then tong, to_chuc, ca_nhan
PERIOD = Period(2022, 2).key


async def _restart_with_question_in_doubt(world: World, field_key: str) -> bool:
    """What the restart does with a question message queued before it: whether it goes."""
    async with world.db.write() as tx:
        ctx = HandlerContext(world.office, world.catalog, world.now, tx)
        return await in_doubt(ctx, "telegram", str(A), f"SYT|cts|{PERIOD}|{field_key}")


async def _state(world: World) -> ConversationState:
    async with world.db.read() as r:
        return ConversationState.from_dict(await r.conversations.get("telegram", str(A)))


async def _stored(world: World) -> dict[str, str | None]:
    async with world.db.read() as r:
        answers = await r.answers.for_obligation("SYT", "cts", PERIOD)
    return {key: answer.value for key, answer in answers.items()}


async def _answered_twice(tmp_path: Path) -> tuple[World, Reply]:
    """Câu 1 may be shown twice; the person answers it, then its copy: the same figure."""
    world = await World.open(tmp_path)
    await world.register(A, "SYT")
    await world.command(A, "baocao")
    assert await _restart_with_question_in_doubt(world, "cap_moi")
    (first,) = await world.say(A, "5")
    assert first.text.startswith("✓ Đã ghi: <b>5")
    (held,) = await world.say(A, "5")
    return world, held


async def test_a_question_message_carries_the_question_it_asks(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        (asked,) = await world.command(A, "baocao")
        (second,) = await world.say(A, "5")
    finally:
        await world.close()
    assert asked.extra[ASKS] == f"SYT|cts|{PERIOD}|cap_moi"
    assert second.extra[ASKS] == f"SYT|cts|{PERIOD}|tong"


async def test_the_repeated_figure_is_held_and_the_person_asked_which_question(
    tmp_path: Path,
) -> None:
    world, held = await _answered_twice(tmp_path)
    try:
        stored = await _stored(world)
        state = await _state(world)
    finally:
        await world.close()
    assert "giống hệt số vừa ghi cho câu 1" in held.text
    assert [c.label for c in held.all_choices()] == ["Câu 1 (đã ghi rồi)", "Ghi cho câu 2"]
    assert stored == {"cap_moi": "5"}  # nothing stored for câu 2 meanwhile
    assert state.awaiting is Awaiting.REPEAT_CHOICE and state.index == 1


async def test_the_earlier_question_drops_the_copy_and_keeps_asking_the_current(
    tmp_path: Path,
) -> None:
    world, held = await _answered_twice(tmp_path)
    try:
        (dropped,) = await world.press(A, held.all_choices()[0].data)
        (next_answer,) = await world.say(A, "30")
        stored = await _stored(world)
    finally:
        await world.close()
    assert "Đã bỏ số gửi lại cho câu 1" in dropped.text and "vẫn là câu 2" in dropped.text
    assert "Câu 2/" not in dropped.text  # no new question message: the one on screen stands
    assert next_answer.text.startswith("✓ Đã ghi: <b>30")
    assert stored == {"cap_moi": "5", "tong": "30"}


async def test_the_current_question_stores_the_figure_there(tmp_path: Path) -> None:
    world, held = await _answered_twice(tmp_path)
    try:
        (taken,) = await world.press(A, held.all_choices()[1].data)
        (again,) = await world.press(A, held.all_choices()[1].data)
        stored = await _stored(world)
    finally:
        await world.close()
    assert taken.text.startswith("✓ Đã ghi: <b>5") and "Câu 3/" in taken.text
    assert stored == {"cap_moi": "5", "tong": "5"}
    assert "Câu 4/" not in again.text and "✓" not in again.text  # a second press: stale


async def test_typing_a_figure_instead_answers_the_current_question(tmp_path: Path) -> None:
    world, _ = await _answered_twice(tmp_path)
    try:
        (taken,) = await world.say(A, "30")
        (later,) = await world.say(A, "5")  # equal to câu 1 again: now a plain answer
        stored = await _stored(world)
    finally:
        await world.close()
    assert taken.text.startswith("✓ Đã ghi: <b>30")
    assert later.text.startswith("✓ Đã ghi: <b>5")
    assert stored == {"cap_moi": "5", "tong": "30", "to_chuc": "5"}


async def test_equal_figures_in_a_row_are_not_questioned_without_a_restart(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")
        await world.say(A, "5")
        (second,) = await world.say(A, "5")
        stored = await _stored(world)
    finally:
        await world.close()
    assert second.text.startswith("✓ Đã ghi: <b>5")
    assert stored == {"cap_moi": "5", "tong": "5"}


async def test_a_restart_drops_a_question_already_answered_and_sends_the_current(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")
        await world.say(A, "5")  # now at câu 2
        answered = await _restart_with_question_in_doubt(world, "cap_moi")
        current = await _restart_with_question_in_doubt(world, "tong")
        state = await _state(world)
    finally:
        await world.close()
    assert not answered
    assert current and state.maybe_twice == "tong"


async def test_a_restart_does_not_resend_a_question_once_the_person_paused(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")
        await world.say(A, "tạm dừng")
        assert not await _restart_with_question_in_doubt(world, "cap_moi")
        assert not await _restart_with_question_in_doubt(world, "no_such_field")
    finally:
        await world.close()


async def _flag_goes(world: World, key: str) -> bool:
    """What the restart does with a flagged figure's message queued before it."""
    async with world.db.write() as tx:
        ctx = HandlerContext(world.office, world.catalog, world.now, tx)
        return await flag_in_doubt(ctx, "telegram", str(A), f"SYT|cts|{PERIOD}|{key}")


async def test_a_restart_drops_a_flagged_figure_already_kept(tmp_path: Path) -> None:
    """A copy of «Nếu số đúng, bấm Giữ nguyên…» after the figure was kept would have the
    person press «Giữ nguyên» on a question that no longer waits for it."""
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")
        await world.say(A, "5")
        await world.say(A, "10")
        (flagged,) = await world.say(A, "20")  # a part over the total
        tag = flagged.extra[FLAGS]
        key = tag.rsplit("|", 1)[1]
        assert tag == f"SYT|cts|{PERIOD}|{key}" and "Nếu số đúng" in flagged.text
        still_flagged = await _flag_goes(world, key)
        await world.say(A, "Giữ nguyên")
        await world.say(A, "số liệu đúng")
        state = await _state(world)
        after_kept = await _flag_goes(world, key)
    finally:
        await world.close()
    assert still_flagged
    assert state.awaiting is not Awaiting.FLAGGED
    assert not after_kept
