"""The welcome after /start says which days the figures cover, also for calendar months."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from tests.support.world import World


async def _welcome(tmp_path: Path, window_start_day: int = 15, **unit_changes: object) -> str:
    """The welcome of SYT's new focal point (its units.csv line changed by `unit_changes`)."""
    world = await World.open(tmp_path)
    regime = replace(world.catalog.regime, window_start_day=window_start_day)
    units = dict(world.catalog.units)
    units["SYT"] = replace(units["SYT"], **unit_changes)  # type: ignore[arg-type]
    world.catalog = replace(world.catalog, regime=regime, units=units)
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


async def test_a_unit_set_up_ahead_of_its_start_is_told_its_first_period(tmp_path: Path) -> None:
    said = await _welcome(tmp_path, effective_from=date(2022, 3, 1))
    assert "Đơn vị có hiệu lực từ 01/03/2022: kỳ báo cáo đầu tiên là kỳ 03/2022" in said
    assert "/baocao" not in said and "Kỳ hiện tại: 02/2022" not in said


async def test_a_unit_that_has_ended_is_told_it_owes_nothing_now(tmp_path: Path) -> None:
    said = await _welcome(tmp_path, effective_to=date(2022, 1, 31))
    assert "Kỳ hiện tại (02/2022) đơn vị không phải gửi số liệu." in said
    assert "/baocao" not in said
