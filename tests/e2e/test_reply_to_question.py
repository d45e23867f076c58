"""A reply to a question message answers that question, through the real Telegram path:
the message id the fake Bot API gave is kept in the outbox, and the reply names it."""

from __future__ import annotations

from tests.support.harness import BotUnderTest

ALICE = 1001  # focal point of SYT: «Chứng thư số», 5 questions (tong = to_chuc + ca_nhan)


async def _stored(bot: BotUnderTest) -> dict[str, str | None]:
    async with bot.db.read() as r:
        answers = await r.answers.for_obligation("SYT", "cts", "2022-02")
    return {key: answer.value for key, answer in answers.items()}


async def test_a_reply_to_an_earlier_question_lands_on_it_and_the_current_one_waits(
    bot: BotUnderTest,
) -> None:
    await bot.register(ALICE, "SYT")
    await bot.command(ALICE, "baocao")
    for value in ["5", "30", "10", "20"]:
        await bot.say(ALICE, value)
    assert "Câu 5/5" in bot.last(ALICE)  # the bot has moved on to question 5

    # Question 3 was 10: the person corrects it by replying to the message that asked it.
    flagged = await bot.reply(ALICE, "Câu 3/5", "12")
    assert flagged.startswith("✓ Đã ghi cho câu 3/5: 12 chứng thư số")
    assert "Số liệu chưa khớp" in flagged  # 12 + 20 is not the total 30: questioned alone
    assert await _stored(bot) == {"cap_moi": "5", "tong": "30", "to_chuc": "12", "ca_nhan": "20"}

    # Then question 4, by replying to its message: the relation holds, question 5 follows.
    after = await bot.reply(ALICE, "Câu 4/5", "18")
    assert after.startswith("✓ Đã ghi cho câu 4/5: 18 chứng thư số")
    assert "Câu 5/5" in after and "Ghi chú thêm" in after
    assert await _stored(bot) == {"cap_moi": "5", "tong": "30", "to_chuc": "12", "ca_nhan": "18"}

    # The current question is answered as usual, and the summary shows every value in place.
    summary = await bot.say(ALICE, "không có")
    assert "3. tổ chức: 12 chứng thư số" in summary and "4. cá nhân: 18" in summary
    assert (await _stored(bot))["ghi_chu"] == "không có"


async def test_a_reply_to_a_question_of_a_sent_report_stores_nothing(bot: BotUnderTest) -> None:
    await bot.register(ALICE, "SYT")
    await bot.command(ALICE, "baocao")
    for value in ["5", "30", "10", "20"]:
        await bot.say(ALICE, value)
    await bot.press(ALICE, "Bỏ qua")
    await bot.press(ALICE, "✅ Gửi báo cáo")

    answer = await bot.reply(ALICE, "Câu 3/5", "12")
    assert "Chưa ghi «12»" in answer and "báo cáo đã gửi" in answer and "/sua" in answer
    assert (await _stored(bot))["to_chuc"] == "10"
