"""The overview's columns and choices: each unit's warnings and whether they are explained,
the last reminder sent, a filter by group besides the state, sorting by name, state and
submission time from the table's header, and pages of rows; every choice a link keeping the
others.

A World (units BDT «Doanh nghiệp», SYT and VP «Sở, ban, ngành»; period 02/2022) on a real
SQLite file: BDT sent its figures on the 12th, SYT on the 11th, VP has not started.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.web import listing
from domain.answers import Answer
from domain.obligations import Obligation, ObligationState
from domain.periods import Period
from tests.support.dashboard import dashboard_client, link_for
from tests.support.world import World

FEBRUARY = Period(2022, 2)
FOCAL_POINT = 1001
GROUP = "Sở, ban, ngành"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    await opened.register(FOCAL_POINT, "SYT")
    async with opened.db.write() as tx:
        await tx.obligations.ensure([Obligation(u, "cts", FEBRUARY) for u in ("BDT", "SYT")])
        for unit, day in (("SYT", 11), ("BDT", 12)):
            sent = opened.now.replace(day=day, hour=3)
            await tx.obligations.set_state(
                unit, "cts", FEBRUARY, ObligationState.SUBMITTED, sent, sent
            )
    yield opened
    await opened.close()


def _order(page: str) -> list[str]:
    return re.findall(r'<tr id="unit-(\w+)"', page)


async def _page(world: World, **query: str) -> str:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        response = await client.get("/web/?" + urlencode(query))
        assert response.status == 200
        return await response.text()


async def test_the_group_filter_keeps_a_groups_units_and_counts_them(world: World) -> None:
    everyone = await _page(world)
    assert _order(everyone) == ["BDT", "SYT", "VP"]
    assert f"{GROUP} (2)" in everyone and "Doanh nghiệp (1)" in everyone
    grouped = await _page(world, group=GROUP)
    assert _order(grouped) == ["SYT", "VP"]
    assert "Tất cả (2)" in grouped and "Đã nộp (1)" in grouped  # counts within the group
    assert '<strong id="done">1/2</strong>' in grouped
    both = await _page(world, group=GROUP, state="submitted")
    assert _order(both) == ["SYT"]
    assert _order(await _page(world, group="Không có")) == ["BDT", "SYT", "VP"]


async def test_rows_sort_by_name_state_and_submission_time_both_ways(world: World) -> None:
    assert _order(await _page(world, sort="-name")) == ["VP", "SYT", "BDT"]
    assert _order(await _page(world, sort="name")) == ["BDT", "SYT", "VP"]
    assert _order(await _page(world, sort="state")) == ["VP", "BDT", "SYT"]
    # Not submitted last, whichever the direction.
    assert _order(await _page(world, sort="submitted")) == ["SYT", "BDT", "VP"]
    assert _order(await _page(world, sort="-submitted")) == ["BDT", "SYT", "VP"]
    assert _order(await _page(world, sort="nonsense")) == ["BDT", "SYT", "VP"]


async def test_the_headers_link_to_each_sort_keeping_the_filters(world: World) -> None:
    page = await _page(world, group=GROUP, sort="name")
    header = re.search(r'href="([^"]+)" id="sort-name"', page)
    assert header is not None
    assert header.group(1) == "?" + urlencode(
        {"period": "2022-02", "group": GROUP, "sort": "-name"}
    ).replace("&", "&amp;")
    assert "Đơn vị ▲" in page
    state = re.search(r'href="([^"]+)" id="sort-state"', page)
    assert state is not None and "sort=state" in state.group(1) and "group=" in state.group(1)


async def test_warnings_show_and_whether_they_are_explained(world: World) -> None:
    async def answer(field: str, value: str, why: str | None = None) -> None:
        async with world.db.write() as tx:
            given = Answer("SYT", "cts", "2022-02", field, value, why, world.now)
            await tx.answers.set(given, f"telegram:{FOCAL_POINT}")

    for field, value in (("cap_moi", "5"), ("to_chuc", "3"), ("ca_nhan", "4"), ("tong", "10")):
        await answer(field, value)  # 10 is not 3 + 4
    row = _row(await _page(world), "SYT")
    assert '<td data-label="Cảnh báo" class="warnings">1 ' in row
    assert "(1 chưa giải trình)" in row
    await answer("tong", "10", "Còn 3 chứng thư số chưa phân loại")
    row = _row(await _page(world), "SYT")
    assert "1 (đã giải trình)" in row and "chưa giải trình" not in row
    assert 'class="warnings">—' in _row(await _page(world), "BDT")


async def test_warnings_are_checked_for_the_rows_of_the_page_shown(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with world.db.write() as tx:
        for field, value in (("to_chuc", "3"), ("ca_nhan", "4"), ("tong", "10")):
            given = Answer("SYT", "cts", "2022-02", field, value, None, world.now)
            await tx.answers.set(given, f"telegram:{FOCAL_POINT}")
    monkeypatch.setattr(listing, "PAGE_ROWS", 1)
    assert "chưa giải trình" in _row(await _page(world, page="2"), "SYT")
    assert "chưa giải trình" not in await _page(world, page="1")


async def test_the_last_reminder_shows_with_how_many(world: World) -> None:
    world.now = world.now.replace(day=14, hour=2)  # SYT owes its figures again
    async with world.db.write() as tx:
        await tx.obligations.set_state("SYT", "cts", FEBRUARY, ObligationState.REOPENED)
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/")).text()
        assert 'class="reminded">—' in _row(page, "SYT")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        for _ in range(2):
            await client.post("/web/remind", data={"csrf": csrf.group(1), "unit": "SYT"})
            world.now += timedelta(hours=1)
        page = await (await client.get("/web/")).text()
    assert 'class="reminded">10:00 14/02/2022 (2 lần)' in _row(page, "SYT")


async def test_a_long_list_comes_in_pages_keeping_the_filters(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "PAGE_ROWS", 2)
    first = await _page(world, sort="-name")
    assert _order(first) == ["VP", "SYT"]
    assert 'href="?period=2022-02&amp;sort=-name&amp;page=2"' in first
    assert _order(await _page(world, sort="-name", page="2")) == ["BDT"]
    assert _order(await _page(world, sort="-name", page="9")) == ["BDT"]  # the last page
    assert _order(await _page(world, page="x")) == ["BDT", "SYT"]
    assert _order(await _page(world, page="²")) == ["BDT", "SYT"]  # a digit int() refuses
    assert 'id="pages"' not in await _page(world, group=GROUP)  # one page: no links


def _row(page: str, code: str) -> str:
    found = re.search(rf'<tr id="unit-{code}".*?</tr>', page, re.DOTALL)
    assert found is not None
    return found.group(0)
