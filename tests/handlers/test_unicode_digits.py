"""Digits other than 0-9 ("²", "①") pass str.isdigit() but not int(): typed under numbered
choices, or forged into a page button, they get an answer instead of failing the event."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.world import World

FOCAL = 1001  # SYT


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    try:
        await opened.register(FOCAL, "SYT")
        yield opened
    finally:
        await opened.close()


@pytest.mark.parametrize("typed", ["²", "①"])
async def test_a_superscript_digit_under_numbered_choices_is_answered(
    world: World, typed: str
) -> None:
    await world.command(FOCAL, "baocao")
    (prompt,) = await world.say(FOCAL, "1: 10\n2: 30\n3: 10\n4: 20\n5: Không")  # the summary
    assert prompt.choices  # numbered choices are shown: a typed number would pick one
    (reply,) = await world.say(FOCAL, typed)
    assert reply.text


async def test_a_forged_ticket_page_number_is_answered(world: World) -> None:
    (reply,) = await world.press(FOCAL, "tkp:SYT:²")
    assert reply.text
