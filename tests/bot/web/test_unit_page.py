"""A unit's page: its answers with who changed them, when, from what to what; for the
office only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.web.unit_page import shown
from domain.answers import Answer
from domain.forms import Field, FieldKind, FieldType
from domain.obligations import Obligation
from domain.periods import Period
from tests.support.dashboard import dashboard_client, link_for
from tests.support.world import World

FOCAL_POINT = 1001


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    await opened.register(FOCAL_POINT, "SYT")
    first = Answer("SYT", "cts", "2022-02", "cap_moi", "1924", updated_at=opened.now)
    later = replace(first, value="1925", updated_at=opened.now + timedelta(hours=1))
    async with opened.db.write() as tx:
        await tx.obligations.ensure([Obligation("SYT", "cts", Period(2022, 2))])
        await tx.answers.set(first, f"telegram:{FOCAL_POINT}")
        await tx.answers.set(later, f"telegram:{FOCAL_POINT}")
    yield opened
    await opened.close()


async def test_the_unit_page_shows_each_answer_and_its_history(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        overview = await (await client.get("/web/")).text()
        assert 'href="/web/units/SYT?period=2022-02"' in overview
        response = await client.get("/web/units/SYT?period=2022-02")
        page = await response.text()
    assert response.status == 200 and "Sở Y tế – kỳ 02/2022" in page
    assert "1.925" in page  # the current value, written the Vietnamese way
    assert "09:00 11/02/2022, Người 1001: (trống) → 1.924" in page
    assert "10:00 11/02/2022, Người 1001: 1.924 → 1.925" in page


async def test_the_unit_page_is_for_the_office_only(world: World) -> None:
    async with dashboard_client(world) as client:
        response = await client.get("/web/units/SYT", allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/web/welcome")
        await client.get(await link_for(world))
        unknown = await client.get("/web/units/NOPE")
        assert unknown.status == 403 and 'data-reason="unknown_unit"' in await unknown.text()


async def test_the_unit_page_offers_to_sign_out_with_the_sessions_token(world: World) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/units/SYT?period=2022-02")).text()
        form = re.search(r'action="/web/logout".*?name="csrf" value="([^"]+)"', page, re.S)
        assert form is not None, page
        out = await client.post("/web/logout", data={"csrf": form[1]})
        assert out.status == 200 and "Đã đăng xuất" in await out.text()
        after = await client.get("/web/units/SYT", allow_redirects=False)
        assert after.status == 303


def test_a_stored_value_is_shown_as_the_chat_shows_it() -> None:
    """Days as dd/mm/yyyy and percentages with %, not the stored ISO text or bare number;
    a value whose question is gone, or no longer parses, as stored."""
    day = Field(key="ngay", question="Ngày chốt?", type=FieldType.DATE, kind=FieldKind.FLOW)
    rate = Field(key="tyle", question="Tỷ lệ?", type=FieldType.PERCENT, kind=FieldKind.FLOW)
    assert shown(day, "2022-02-13") == "13/02/2022"
    assert shown(rate, "20.33") == "20,33%"
    assert shown(None, "2022-02-13") == "2022-02-13"
    assert shown(day, "hôm qua") == "hôm qua"
    assert shown(rate, None) == ""
