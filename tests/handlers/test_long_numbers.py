"""No typed text reaches Python's limit on int() of a long string of digits (4300 digits):
a 5,000-digit line gets an answer wherever it is typed, like any other unknown text."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.digits import small_int
from tests.support.harness import OFFICE_USER
from tests.support.world import World

A = 1001
DIGITS = "1" * 5000


async def test_a_5000_digit_line_while_choices_are_shown_gets_an_answer(
    tmp_path: Path,
) -> None:
    world = await World.open(tmp_path)
    try:
        await world.register(A, "BDT")
        await world.command(OFFICE_USER, "nhacnho")  # a confirmation with numbered choices
        office = await world.say(OFFICE_USER, DIGITS)
        await world.command(A, "baocao")
        focal = await world.say(A, DIGITS)
        edit = await world.command(A, "sua", DIGITS)
    finally:
        await world.close()
    for replies in (office, focal, edit):
        assert replies and replies[0].text.strip()


@pytest.mark.parametrize(
    ("typed", "number"),
    [("7", 7), (" 12 ", 12), ("٣", 3), ("007", 7), ("²", None), ("", None), ("1" * 19, None)],
)
def test_small_int_takes_short_decimal_numbers_only(typed: str, number: int | None) -> None:
    assert small_int(typed) == number


def test_small_int_never_converts_a_long_string() -> None:
    assert small_int(DIGITS) is None
