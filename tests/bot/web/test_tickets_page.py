"""The tickets page: a period's overdue tickets by unit with the units' answers, the units
that have not answered, the tickets given to no unit with the import's suggestion; counted
as the draft counts them; for the office only."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.report.tickets_source import period_figures, period_tickets
from bot.web import tickets_page
from bot.web.dashboard import Dashboard
from bot.web.tickets_page import tickets_view
from bot.workspace.load import load_workspace
from domain.periods import Period
from domain.ticket_answers import ticket_token
from tests.support.dashboard import dashboard_client, link_for
from tests.support.world import World

FOCAL_POINT = 1001  # SYT
PERIOD = Period(2022, 2)
CSV = (
    "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
    "PA-1,03/01/2022,13/01/2022,Sở Y tế,Rác thải ở chợ,Đang xử lý\n"
    "PA-2,04/01/2022,14/01/2022,Sở Y tế,Nước sinh hoạt <đục>,Đang xử lý\n"
    "PA-3,05/01/2022,20/01/2022,BDT,Thư chậm,Đang xử lý\n"
    "PA-4,05/02/2022,25/02/2022,Sở Y tế,Chưa tới hạn,Đang xử lý\n"
    "PA-5,05/01/2022,20/01/2022,Sở Y tế,Đã xong,Đã xử lý\n"
    "PA-9,03/01/2022,13/01/2022,Sở Y tế tỉnhh,Tiếng ồn,Đang xử lý\n"
    "PA-8,03/02/2022,23/02/2022,Công an,Lấn chiếm vỉa hè,Đang xử lý\n"
).encode()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    await opened.register(FOCAL_POINT, "SYT")
    await opened.import_tickets(CSV, date(2022, 2, 11))
    # SYT says PA-1 is in progress, expected done on 28/02, and why.
    await opened.press(FOCAL_POINT, f"tki:SYT:{ticket_token('PA-1')}")
    await opened.say(FOCAL_POINT, "28/02/2022")
    await opened.say(FOCAL_POINT, "Chờ kinh phí sửa chữa")
    yield opened
    await opened.close()


def _section(page: str, element_id: str) -> str:
    """The HTML of the element with this id, up to its closing tag's name."""
    found = re.search(rf'id="{re.escape(element_id)}".*?</(tr|section)>', page, re.S)
    assert found is not None, element_id
    return found.group(0)


async def _page(world: World, path: str) -> str:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        response = await client.get(path)
        assert response.status == 200
        return await response.text()


async def test_overdue_tickets_by_unit_with_the_units_answers(world: World) -> None:
    page = await _page(world, "/web/tickets?period=2022-02")
    assert "Phiếu phản ánh quá hạn – kỳ 02/2022" in page
    assert '<a href="/web/drafts?period=2022-02">Bản tổng hợp</a>' in page  # the pages' links
    assert 'action="/web/logout"' in page
    syt = _section(page, "unit-SYT")
    assert "Sở Y tế" in syt and "2 phiếu quá hạn" in syt and "1 chưa trả lời" in syt
    answered = _section(page, "ticket-PA-1")
    assert "Đang xử lý, dự kiến xong 28/02/2022" in answered
    assert "Lý do: Chờ kinh phí sửa chữa" in answered and "Người 1001" in answered
    silent = _section(page, "ticket-PA-2")
    assert "Chưa trả lời" in silent and "28 ngày" in silent  # due 14/01, today 11/02
    assert "Nước sinh hoạt &lt;đục&gt;" in silent  # a ticket's text is escaped
    assert "PA-4" not in page and "PA-5" not in page  # not due yet; handled
    assert "Bưu điện tỉnh" in _section(page, "unit-BDT")
    # Units that have not answered: BDT about its one ticket, SYT about one of two.
    assert "1</td>" in _section(page, "pending-BDT") and "pending-VP" not in page


async def test_unassigned_tickets_with_the_imports_suggestion(world: World) -> None:
    page = await _page(world, "/web/tickets")
    near = _section(page, "unassigned-PA-9")
    assert "Sở Y tế tỉnhh" in near and "Sở Y tế (SYT): /giao PA-9 SYT" in near
    assert "Quá hạn" in near
    nothing = _section(page, "unassigned-PA-8")
    assert "Công an" in nothing and "Không có đơn vị nào gần giống" in nothing
    assert "Quá hạn" not in nothing  # due 23/02


async def test_the_counts_are_the_drafts(world: World) -> None:
    """The page's overdue counts per unit and in total are the draft's hotline figures."""
    workspace = load_workspace(world.path.parent / "config.toml")
    async with world.db.read() as view:
        counted = await period_tickets(view, workspace, PERIOD, world.now)
    figures = period_figures(counted, workspace, PERIOD, None)
    page = await _page(world, "/web/tickets?period=2022-02")
    for unit in figures.overdue_units:
        assert f"{unit.count} phiếu quá hạn" in _section(page, f"unit-{unit.unit_code}")
    total = figures.cumulative.overdue
    assert f'<strong id="overdue-total">{total}</strong>' in page and total == 4
    assert f"{figures.unassigned_overdue} phiếu chưa giao đơn vị" in page


async def test_the_campaign_start_counts_as_in_the_draft(world: World) -> None:
    """Tickets received before the campaign began are not the draft's: nor the page's."""
    dashboard = Dashboard(world.db, world.catalog, world.office, lambda: world.now)
    view = await tickets_view(replace(dashboard, ticket_start=date(2022, 1, 4)), PERIOD)
    assert [(u.code, u.count) for u in view.units] == [("BDT", 1), ("SYT", 1)]
    assert [t.id for t in view.units[1].tickets] == ["PA-2"]
    assert view.overdue_unassigned == 0  # PA-9 came on 03/01
    assert [t.id for t in view.unassigned] == ["PA-9", "PA-8"]  # still to be given, now


async def test_the_tickets_page_is_for_the_office_only(world: World) -> None:
    async with dashboard_client(world) as client:
        response = await client.get("/web/tickets", allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/web/welcome")
        welcome = await (await client.get("/web/tickets")).text()
    assert "PA-1" not in welcome and "Sở Y tế" not in welcome
    assert 'href="/web/tickets"' not in welcome  # no page links before signing in


async def test_a_long_list_is_cut_and_says_how_many_more(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tickets_page, "LISTED_IN_ALL", 1)
    page = await _page(world, "/web/tickets?period=2022-02")
    assert "ticket-PA-3" in page  # BDT's, first in the units' order
    start = page.index('id="unit-SYT"')
    syt = page[start : page.index("</section>", start)]
    assert "2 phiếu quá hạn" in syt and "ticket-PA-" not in syt
    assert "Còn 2 phiếu quá hạn khác của đơn vị" in syt


async def test_the_unit_page_leads_to_the_units_tickets(world: World) -> None:
    page = await _page(world, "/web/units/SYT?period=2022-02")
    assert 'href="/web/tickets?period=2022-02#unit-SYT"' in page
