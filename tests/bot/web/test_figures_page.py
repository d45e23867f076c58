"""A form's figures page: units × figures with the draft's totals, the draft's warnings
highlighted, units without an answer marked, a chosen figure's trend as inline SVG; for
the office only. On a World's real SQLite file (units BDT, SYT and VP owe form cts)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from bot.web.svg_chart import trend_chart
from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import parse_period
from tests.support.dashboard import dashboard_client, link_for
from tests.support.world import World

PAGE = "/web/forms/cts?period=2022-02"
# SYT's parts add up; VP's do not (20 + 20 is not 50): the draft warns about VP's total.
FIGURES = {
    "SYT": {"cap_moi": "1200", "tong": "1500", "to_chuc": "600", "ca_nhan": "900"},
    "VP": {"cap_moi": "5", "tong": "50", "to_chuc": "20", "ca_nhan": "20"},
}


async def _answer(world: World, period: str, unit: str, values: dict[str, str]) -> None:
    async with world.db.write() as tx:
        await tx.obligations.ensure([Obligation(unit, "cts", parse_period(period))])
        for key, value in values.items():
            answer = Answer(unit, "cts", period, key, value, updated_at=world.now)
            await tx.answers.set(answer, "telegram:1001")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    for unit, values in FIGURES.items():
        await _answer(opened, "2022-02", unit, values)
    yield opened
    await opened.close()


def _row(page: str, unit: str) -> str:
    found = re.search(rf'<tr id="unit-{unit}".*?</tr>', page, re.S)
    assert found is not None, unit
    return found.group(0)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.S)]


async def _signed_in_get(world: World, path: str) -> tuple[int, str]:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        response = await client.get(path)
        return response.status, await response.text()


async def test_the_table_shows_each_unit_s_figures_and_the_draft_s_totals(world: World) -> None:
    status, page = await _signed_in_get(world, PAGE)
    assert status == 200 and "Chứng thư số – kỳ 02/2022" in page
    # Numeric fields only, in the form's order; values written the Vietnamese way.
    assert _cells(_row(page, "SYT")) == ["1.200", "1.500", "600", "900"]
    assert _cells(_row(page, "VP")) == ["5", "50", "20", "20"]
    # BDT owes the form and sent nothing: marked, its cells empty, the totals say so.
    bdt = _row(page, "BDT")
    assert 'class="no-answer"' in bdt and "(chưa có số liệu)" in bdt
    assert _cells(bdt) == ["", "", "", ""]
    totals = re.search(r'<tr class="totals".*?</tr>', page, re.S)
    assert totals is not None
    assert _cells(totals.group(0)) == ["1.205*", "1.550*", "620*", "920*"]
    assert "Còn thiếu số liệu của 1 đơn vị" in totals.group(0)
    assert "2/3</strong> đơn vị đã có số liệu" in page
    assert 'action="/web/logout"' in page  # a signed-in page offers to sign out


async def test_a_consistency_warning_is_highlighted_in_its_cell_and_listed(world: World) -> None:
    _, page = await _signed_in_get(world, PAGE)
    vp = _row(page, "VP")
    warned = re.findall(r'<td class="warn" title="([^"]+)">([^<]*)</td>', vp)
    assert len(warned) == 1 and warned[0][1] == "50"
    assert "20 + 20 = 40" in warned[0][0]  # the draft's words, its numbers
    assert 'class="warn"' not in _row(page, "SYT")
    listed = re.search(r'<ul class="flags">.*?</ul>', page, re.S)
    assert listed is not None and "Văn phòng UBND tỉnh" in listed.group(0)
    assert "1 cảnh báo về tính khớp số liệu" in page


async def test_a_chosen_field_draws_its_trend_as_svg_with_a_point_per_period(
    world: World,
) -> None:
    await _answer(world, "2021-12", "SYT", {"cap_moi": "900"})
    await _answer(world, "2022-01", "SYT", {"cap_moi": "1000"})
    _, page = await _signed_in_get(world, PAGE + "&field=cap_moi")
    chart = re.search(r'<svg class="chart".*?</svg>', page, re.S)
    assert chart is not None
    titles = re.findall(r"<circle[^>]*><title>([^<]+)</title></circle>", chart.group(0))
    assert titles == [
        "12/2021: 900 (còn thiếu 2 đơn vị)",
        "01/2022: 1.000 (còn thiếu 2 đơn vị)",
        "02/2022: 1.205 (còn thiếu 1 đơn vị)",
    ]
    assert chart.group(0).count("<polyline") == 1
    assert "<script" not in page


async def test_no_chart_below_three_periods_of_data_and_the_page_says_why(world: World) -> None:
    await _answer(world, "2022-01", "SYT", {"cap_moi": "1000"})
    _, page = await _signed_in_get(world, PAGE + "&field=cap_moi")
    assert "<svg" not in page
    assert "Chưa vẽ biểu đồ: chỉ 2 trong 12 kỳ có số liệu, cần ít nhất 3 kỳ." in page
    _, text_field = await _signed_in_get(world, PAGE + "&field=ghi_chu")
    assert "không có chỉ tiêu dạng số «ghi_chu»" in text_field and "<svg" not in text_field


async def test_the_overview_links_to_the_forms_and_the_forms_to_their_figures(
    world: World,
) -> None:
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        overview = await (await client.get("/web/?period=2022-02")).text()
        assert 'href="/web/forms?period=2022-02"' in overview
        forms = await (await client.get("/web/forms?period=2022-02")).text()
    assert 'href="/web/forms/cts?period=2022-02">Chứng thư số</a>' in forms
    assert "(3 đơn vị báo cáo)" in forms


async def test_the_figures_are_for_the_office_only(world: World) -> None:
    async with dashboard_client(world) as client:
        response = await client.get(PAGE, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/web/welcome")
        listing = await client.get("/web/forms", allow_redirects=False)
        assert listing.status == 303
        await client.get(await link_for(world))
        unknown = await client.get("/web/forms/khong_co?period=2022-02")
        page = await unknown.text()
    assert unknown.status == 404 and "Không có biểu mẫu này" in page
    assert 'href="/web/forms/cts?period=2022-02"' in page  # what to open instead
    assert "Sở Y tế" not in page


async def test_a_long_list_of_units_is_shown_a_page_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.web.figures.PAGE_ROWS", 2)
    _, first = await _signed_in_get(world, PAGE)
    _, second = await _signed_in_get(world, PAGE + "&page=2")
    assert 'id="unit-BDT"' in first and 'id="unit-SYT"' in first and 'id="unit-VP"' not in first
    assert 'id="unit-VP"' in second and 'id="unit-BDT"' not in second
    for page in (first, second):  # totals over every unit, whatever the page
        assert ">1.205<" in page
    status, odd = await _signed_in_get(world, PAGE + "&page=%C2%B2")  # "²": a digit int() refuses
    assert status == 200 and 'id="unit-BDT"' in odd


def test_the_chart_places_points_and_labels_values_the_vietnamese_way() -> None:
    chart = trend_chart(
        [("01/2022", Decimal(1000), 0), ("02/2022", None, 0), ("03/2022", Decimal("2500.5"), 1)]
    )
    assert [(d.label, d.value, d.missing) for d in chart.dots] == [
        ("01/2022", "1.000", 0),
        ("03/2022", "2.500,5", 1),
    ]
    assert chart.line == f"{chart.dots[0].x},{chart.dots[0].y} {chart.dots[1].x},{chart.dots[1].y}"
    assert chart.dots[0].y > chart.dots[1].y  # a bigger value is drawn higher
    assert chart.dots[1].x == chart.right  # the last period at the right edge
    assert [t.label for t in chart.periods] == ["01/2022", "02/2022", "03/2022"]
    # A value axis of round steps from 0 past the highest value.
    assert [t.label for t in chart.values] == ["0", "1.000", "2.000", "3.000", "4.000"]


def test_a_long_span_labels_every_other_period_and_the_last() -> None:
    chart = trend_chart([(f"{m:02d}/2022", Decimal(m), 0) for m in range(1, 13)])
    assert [t.label for t in chart.periods] == [f"{m:02d}/2022" for m in range(2, 13, 2)]
    assert len(chart.dots) == 12
