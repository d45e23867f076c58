"""A reply to a question message answers that question (handlers/replied.py): the outbox
row the platform's message id names carries the question it asks."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from bot.channels.base import reply_to_payload
from domain.periods import Period
from handlers.context import HandlerContext
from handlers.conversation import Awaiting, ConversationState
from handlers.events import EventKind, Reply
from handlers.repeats import ASKS, in_doubt
from tests.support.world import World

A = 1004  # a focal point of SYT: «Chứng thư số», cap_moi, tong, to_chuc, ca_nhan, ghi_chu
PERIOD = Period(2022, 2).key
_platform_ids = itertools.count(100)


async def _sent(world: World, replies: list[Reply]) -> list[str]:
    """Queue replies as the bot does and mark them sent, each with the id a platform would
    give it; those ids, in order."""
    refs = []
    async with world.db.write() as tx:
        for reply in replies:
            queued = await tx.outbox.enqueue("telegram", reply.chat_id, reply_to_payload(reply))
            assert queued is not None
            refs.append(str(next(_platform_ids)))
            await tx.outbox.mark_sent(queued, platform_ref=refs[-1])
    return refs


async def _reply(world: World, ref: str, typed: str) -> list[Reply]:
    """A text that replies to the bot's message the platform knows as `ref`."""
    event = replace(world.event(A, EventKind.TEXT, text=typed), reply_to=ref)
    return await world.send(event)


async def _stored(world: World, period: str = PERIOD) -> dict[str, str | None]:
    async with world.db.read() as r:
        answers = await r.answers.for_obligation("SYT", "cts", period)
    return {key: answer.value for key, answer in answers.items()}


async def _state(world: World) -> ConversationState:
    async with world.db.read() as r:
        return ConversationState.from_dict(await r.conversations.get("telegram", str(A)))


async def _at_question_3(world: World) -> list[str]:
    """Register, answer questions 1 and 2; the platform ids of the welcome and of the
    messages asking questions 1, 2 and 3."""
    refs = await _sent(world, await world.register(A, "SYT"))
    refs += await _sent(world, await world.command(A, "baocao"))
    refs += await _sent(world, await world.say(A, "5"))
    refs += await _sent(world, await world.say(A, "30"))
    return refs


async def test_a_reply_to_an_earlier_question_stores_there_and_asks_the_current_again(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        _, asks_1, _, _ = await _at_question_3(world)
        (answer,) = await _reply(world, asks_1, "6")
        stored, state = await _stored(world), await _state(world)
    finally:
        await world.close()
    assert answer.text.startswith("✓ Đã ghi cho câu 1/5: <b>6")
    assert "Câu 3/5" in answer.text and answer.extra[ASKS].endswith("|to_chuc")
    assert stored == {"cap_moi": "6", "tong": "30"}
    assert (state.awaiting, state.index) == (Awaiting.VALUE, 2)


async def test_a_reply_to_the_current_question_is_an_answer_never_held_as_a_copy(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "SYT")
        await world.command(A, "baocao")
        async with world.db.write() as tx:  # a restart: question 1's message may come twice
            ctx = HandlerContext(world.office, world.catalog, world.now, tx)
            assert await in_doubt(ctx, "telegram", str(A), f"SYT|cts|{PERIOD}|cap_moi")
        (asks_2,) = await _sent(world, await world.say(A, "5"))
        # The same figure as question 1 (typed, it would be held: a copy's answer?), but
        # replying to question 2's own message: meant for question 2.
        (answer,) = await _reply(world, asks_2, "5")
        stored = await _stored(world)
    finally:
        await world.close()
    assert answer.text.startswith("✓ Đã ghi: <b>5") and "Câu 3/5" in answer.text
    assert stored == {"cap_moi": "5", "tong": "5"}


async def test_a_reply_to_a_message_that_asks_nothing_is_taken_as_typed(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        welcome, _, _, _ = await _at_question_3(world)
        (answer,) = await _reply(world, welcome, "10")
        stored = await _stored(world)
    finally:
        await world.close()
    assert answer.text.startswith("✓ Đã ghi: <b>10") and "Câu 4/5" in answer.text
    assert stored == {"cap_moi": "5", "tong": "30", "to_chuc": "10"}


async def test_a_reply_to_a_message_the_bot_does_not_know_stores_nothing(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await _at_question_3(world)
        (answer,) = await _reply(world, "99999", "10")  # purged, or a copy whose id was lost
        stored = await _stored(world)
    finally:
        await world.close()
    assert answer.text.startswith("Chưa ghi «10»: không rõ tin nhắn")
    assert "Câu 3/5" in answer.text  # the current question, asked again
    assert stored == {"cap_moi": "5", "tong": "30"}


async def test_a_bad_value_for_the_earlier_question_says_so_and_keeps_the_current(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        _, asks_1, _, _ = await _at_question_3(world)
        (answer,) = await _reply(world, asks_1, "12.5")
        stored, state = await _stored(world), await _state(world)
    finally:
        await world.close()
    assert answer.text.startswith("Chưa ghi cho câu 1: «12.5» không phải số nguyên")
    assert "trả lời lại tin nhắn hỏi câu đó" in answer.text and "Câu 3/5" in answer.text
    assert stored == {"cap_moi": "5", "tong": "30"}
    assert state.index == 2


async def test_a_question_of_another_period_or_unit_stores_nothing(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        await _at_question_3(world)
        january = Reply(chat_id=str(A), text="Câu 1/5", extra={ASKS: "SYT|cts|2022-01|cap_moi"})
        others = Reply(chat_id=str(A), text="Câu 1/5", extra={ASKS: "BDT|cts|2022-02|cap_moi"})
        old, foreign = await _sent(world, [january, others])
        (to_old,) = await _reply(world, old, "7")
        (to_foreign,) = await _reply(world, foreign, "7")
        stored, in_january = await _stored(world), await _stored(world, "2022-01")
    finally:
        await world.close()
    assert to_old.text.startswith("Chưa ghi «7»: tin nhắn anh/chị trả lời hỏi câu 1")
    assert "kỳ 01/2022, không phải báo cáo đang nhập" in to_old.text
    assert "Bưu điện" not in to_foreign.text and to_foreign.text.startswith("Chưa ghi «7»")
    assert stored == {"cap_moi": "5", "tong": "30"} and in_january == {}


async def test_a_reply_settling_a_flagged_value_goes_on_to_the_next_unanswered(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        refs = await _at_question_3(world)
        refs += await _sent(world, await world.say(A, "10"))
        refs += await _sent(world, await world.say(A, "20"))  # at question 5
        (flagged,) = await _reply(world, refs[3], "12")  # câu 3: 12 + 20 is not 30
        flagged_state = await _state(world)
        (settled,) = await _reply(world, refs[4], "18")  # câu 4: 12 + 18 = 30
        stored, state = await _stored(world), await _state(world)
    finally:
        await world.close()
    assert "Số liệu chưa khớp" in flagged.text
    assert (flagged_state.awaiting, flagged_state.flagged) == (Awaiting.FLAGGED, "to_chuc")
    assert settled.text.startswith("✓ Đã ghi cho câu 4/5: <b>18") and "Câu 5/5" in settled.text
    assert stored == {"cap_moi": "5", "tong": "30", "to_chuc": "12", "ca_nhan": "18"}
    assert (state.awaiting, state.index, state.flagged) == (Awaiting.VALUE, 4, "")


async def test_a_bad_value_while_a_value_is_flagged_questions_the_flagged_one_again(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        refs = await _at_question_3(world)
        refs += await _sent(world, await world.say(A, "10"))
        refs += await _sent(world, await world.say(A, "20"))  # at question 5
        await _reply(world, refs[3], "12")  # câu 3: 12 + 20 is not 30, flagged
        (refused,) = await _reply(world, refs[4], "mười tám")
        stored, state = await _stored(world), await _state(world)
    finally:
        await world.close()
    assert refused.text.startswith("Chưa ghi cho câu 4:")
    assert "Số liệu chưa khớp" in refused.text  # the flagged figure, questioned again
    assert (state.awaiting, state.flagged) == (Awaiting.FLAGGED, "to_chuc")
    assert stored == {"cap_moi": "5", "tong": "30", "to_chuc": "12", "ca_nhan": "20"}
