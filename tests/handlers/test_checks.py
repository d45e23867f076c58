"""Checks that say what to send: hints that fit the question, figures that hang together,
explanations that follow the figures, numbers said back exactly as stored."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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


def stored(world: World) -> dict[str, tuple[object, ...]]:
    """The unit's current answers by field key: (value, explanation)."""
    rows = world.rows()["answers"]
    return {row[3]: row for row in rows}


@pytest.mark.parametrize("typed", ["12.5", "1,234.56"])
async def test_a_whole_number_question_never_suggests_a_decimal(world: World, typed: str) -> None:
    (reply,) = await world.say(FOCAL, typed)
    assert "không phải số nguyên" in reply.text
    assert "thập phân" not in reply.text
    (again,) = await world.say(FOCAL, "12,5")
    assert "không phải số nguyên" in again.text


async def test_a_thirty_digit_number_is_refused_with_the_limit(world: World) -> None:
    (reply,) = await world.say(FOCAL, "1" * 30)
    assert "tối đa 15 chữ số" in reply.text
    assert "Đã ghi" not in reply.text
    assert "answers" not in world.rows() or not world.rows()["answers"]


async def test_a_cumulative_below_this_periods_flow_is_flagged(world: World) -> None:
    await world.say(FOCAL, "5")  # new this month
    (reply,) = await world.say(FOCAL, "3")  # cumulative to date
    assert "«tổng số» (lũy kế) là 3, ít hơn «cấp mới» trong kỳ (5)" in reply.text


async def test_an_explanation_is_dropped_once_its_rule_holds_again(world: World) -> None:
    for typed in ["259", "2.361", "472"]:
        await world.say(FOCAL, typed)
    (flagged,) = await world.say(FOCAL, "1.914")
    assert "nhưng «tổng số» là 2.361" in flagged.text
    await world.press(FOCAL, "why:tong")
    await world.say(FOCAL, "25 chứng thư số đã thu hồi")
    assert stored(world)["tong"][5] == "25 chứng thư số đã thu hồi"
    await world.say(FOCAL, "4: 1.889")  # 472 + 1.889 = 2.361: the parts now add up
    assert stored(world)["tong"][5] is None
    with sqlite3.connect(world.path) as con:
        history = con.execute(
            "SELECT explanation FROM revisions WHERE field_key = 'tong'"
        ).fetchall()
    assert ("25 chứng thư số đã thu hồi",) in history
