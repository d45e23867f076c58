"""A locked period freezes the answers for every way of changing them (found by the
stateful test): pasting corrections on the summary and explaining a flagged figure."""

from __future__ import annotations

from pathlib import Path

from templates.catalog import text
from tests.support.harness import OFFICE_USER
from tests.support.world import World

A = 1001


async def test_after_the_lock_neither_a_paste_on_the_summary_nor_an_explanation_is_stored(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "BDT")
        await world.command(A, "baocao")
        await world.say(A, "1: 10\n2: 25\n3: 10\n4: 20\n5: x")  # the summary, 25 flagged
        await world.press(A, "why:tong")  # A starts explaining
        before = world.rows()
        await world.command(OFFICE_USER, "khoa")
        await world.press(OFFICE_USER, "khoa:2022-02")
        locked = text("chat.locked", period="02/2022")
        explained = await world.say(A, "vì lý do")
        pasted = await world.say(A, "1: 11")
        after = world.rows()
    finally:
        await world.close()
    assert explained[0].text == locked
    assert pasted[0].text == locked
    assert after["answers"] == before["answers"]
    assert after["revisions"] == before["revisions"]


async def test_baocao_in_a_locked_period_says_so_instead_of_asking_question_1(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "BDT")
        await world.command(OFFICE_USER, "khoa")
        await world.press(OFFICE_USER, "khoa:2022-02")
        (started,) = await world.command(A, "baocao")
    finally:
        await world.close()
    assert started.text == text("chat.locked", period="02/2022")
