"""The welcome after /start says which days the figures cover, also for calendar months."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from world import World


async def _welcome(tmp_path: Path, window_start_day: int) -> str:
    world = await World.open(tmp_path)
    regime = replace(world.catalog.regime, window_start_day=window_start_day)
    world.catalog = replace(world.catalog, regime=regime)
    try:
        (welcome,) = await world.register(1001, "SYT")
    finally:
        await world.close()
    return welcome.text


async def test_a_window_from_the_15th_is_described_with_its_dates(tmp_path: Path) -> None:
    said = await _welcome(tmp_path, 15)
    assert "Số liệu tính từ ngày 15 tháng trước đến ngày 14 tháng báo cáo." in said
    assert "Kỳ hiện tại: 02/2022 (số liệu từ 15/01/2022 đến 14/02/2022)" in said


async def test_a_calendar_month_is_not_said_to_end_on_day_0(tmp_path: Path) -> None:
    said = await _welcome(tmp_path, 1)
    assert "ngày 0" not in said
    assert "Số liệu tính trọn tháng báo cáo." in said
    assert "Kỳ hiện tại: 01/2022 (số liệu từ 01/01/2022 đến 31/01/2022)" in said
