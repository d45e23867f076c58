"""The [tickets] section of config.toml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.workspace.config import load_settings, read_settings
from bot.workspace.settings import TicketSettings
from tests.support.paths import CONFIG_EXAMPLE
from tests.support.problem_lines import checked_lines


def config_with(tmp_path: Path, old: str, new: str) -> Path:
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "config.toml"
    path.write_text(source.replace(old, new), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    return checked_lines(path, [str(p) for p in read_settings(path)[1]])


def test_the_example_spells_out_the_defaults() -> None:
    assert load_settings(CONFIG_EXAMPLE).tickets == TicketSettings()


def test_a_config_without_the_section_gets_the_defaults(tmp_path: Path) -> None:
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(source[: source.index("\n# Phiếu phản ánh")] + "\n", encoding="utf-8")
    assert load_settings(path).tickets == TicketSettings()


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ('"01/03/2022"', date(2022, 3, 1)),
        ('"2022-03-01"', date(2022, 3, 1)),
        ("2022-03-01", date(2022, 3, 1)),
        ('""', None),
    ],
)
def test_the_campaign_start(tmp_path: Path, written: str, day: date | None) -> None:
    path = config_with(tmp_path, 'campaign_start = ""', f"campaign_start = {written}")
    assert load_settings(path).tickets.campaign_start == day


def test_column_names_are_read_as_written(tmp_path: Path) -> None:
    path = config_with(
        tmp_path, 'id_columns = ["Mã phiếu", "Số phiếu"]', 'id_columns = [" Số PAKN ", ""]'
    )
    assert load_settings(path).tickets.id_columns == ("Số PAKN",)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'campaign_start = ""',
            'campaign_start = "31/02/2022"',
            'config.toml: tickets.campaign_start: "31/02/2022" không phải ngày hợp lệ; '
            "hãy ghi ngày dạng dd/mm/yyyy, ví dụ 01/01/2022",
        ),
        (
            'campaign_start = ""',
            "campaign_start = 2022",
            "config.toml: tickets.campaign_start: 2022 là số nguyên; "
            'hãy ghi một chuỗi chữ trong ngoặc kép, ví dụ "01/01/2022"',
        ),
        (
            'unit_columns = ["Đơn vị xử lý", "Đơn vị chủ trì"]',
            "unit_columns = []",
            "config.toml: tickets.unit_columns: đang để trống; hãy ghi nội dung, ví dụ "
            'unit_columns = ["Đơn vị xử lý", "Đơn vị chủ trì"]',
        ),
        (
            'handled_statuses = ["Đã xử lý", "Hoàn thành", "Đã giải quyết"]',
            'handled_status = ["Xong"]',
            "config.toml: tickets.handled_status: không có khóa này; có phải ý bạn là "
            '"handled_statuses"?',
        ),
    ],
)
def test_mistakes_in_the_section_are_reported(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert problems(config_with(tmp_path, old, new)) == [problem]
