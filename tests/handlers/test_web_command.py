"""/web gives a member of the office a one-time login link, in a private chat only; the
link opens the dashboard once."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from handlers.events import EventKind
from tests.support.dashboard import dashboard_client
from tests.support.harness import OFFICE_USER
from tests.support.world import World

FOCAL_POINT = 1001


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    opened.office = replace(opened.office, web_url="https://bot.example.vn")
    await opened.register(FOCAL_POINT, "SYT")
    yield opened
    await opened.close()


async def test_an_admin_gets_a_link_that_opens_the_dashboard_once(world: World) -> None:
    (reply,) = await world.command(OFFICE_USER, "web")
    link = html.unescape(reply.text.splitlines()[-1])  # Telegram's HTML: & is &amp;
    assert link.startswith(f"https://bot.example.vn/web/login?a=telegram:{OFFICE_USER}&e=")
    assert "một lần" in reply.text and reply.chat_id == str(OFFICE_USER)
    async with dashboard_client(world) as client:
        path = link.removeprefix("https://bot.example.vn")
        assert (await client.get(path)).status == 200
        assert "Sở Y tế" in await (await client.get("/web/")).text()
        assert (await client.get(path)).status == 403


async def test_a_focal_point_gets_no_link(world: World) -> None:
    (reply,) = await world.command(FOCAL_POINT, "web")
    assert "/web/login" not in reply.text


async def test_in_a_group_the_link_is_not_sent(world: World) -> None:
    event = world.event(OFFICE_USER, EventKind.COMMAND, command="web")
    group = replace(event, sender=replace(event.sender, chat_id="-100500", private=False))
    (reply,) = await world.send(group)
    assert "/web/login" not in reply.text and "riêng" in reply.text


async def test_without_a_public_address_the_office_is_told_how_else(world: World) -> None:
    world.office = replace(world.office, web_url="")
    (reply,) = await world.command(OFFICE_USER, "web")
    assert "/web/login" not in reply.text and "baocao web" in reply.text


async def test_the_link_remembers_the_members_name_and_a_refusal_does_not(world: World) -> None:
    for user, name in ((OFFICE_USER, "Nguyễn Thị Lan"), (FOCAL_POINT, "Trần Văn Bình")):
        event = world.event(user, EventKind.COMMAND, command="web")
        await world.send(replace(event, sender=replace(event.sender, display_name=name)))
    async with world.db.read() as view:
        assert await view.office_people.names() == {f"telegram:{OFFICE_USER}": "Nguyễn Thị Lan"}
