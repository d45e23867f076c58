"""units.xlsx wherever units.csv is accepted: the same columns, units and problems, each
problem at its sheet and row."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.cli.main import main
from bot.workspace.load import load_workspace
from bot.workspace.problems import ConfigError
from tests.support.offices import edit_file, init_office


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _workbook(path: Path, rows: list[list[object]], title: str = "Đơn vị") -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)


def _office_on_xlsx(tmp_path: Path, rows: list[list[object]] | None = None) -> Path:
    """The starter office with its units.csv saved as units.xlsx (or `rows`)."""
    config = init_office(tmp_path / "office")
    _workbook(config.parent / "units.xlsx", rows or _csv_rows(config.parent / "units.csv"))
    (config.parent / "units.csv").unlink()
    edit_file(config, 'units = "units.csv"', 'units = "units.xlsx"')
    return config


def test_a_workbook_gives_the_same_units_as_the_csv(tmp_path: Path) -> None:
    from_csv = load_workspace(init_office(tmp_path / "csv")).units
    assert load_workspace(_office_on_xlsx(tmp_path)).units == from_csv


def test_excel_dates_and_numbers_are_read_as_typed(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["mã đơn vị", "tên đơn vị", "nhóm", "biểu mẫu", "hiệu lực từ", "hiệu lực đến"],
        [1001, "Xã Một", "UBND cấp xã", "cntt", datetime(2022, 1, 1), None],
        ["SYT", "Sở Y tế", "Sở, ban, ngành", "cntt;dvc", "15/02/2022", datetime(2030, 12, 31)],
    ]
    units = load_workspace(_office_on_xlsx(tmp_path, rows)).units
    assert [u.code for u in units] == ["1001", "SYT"]
    assert str(units[0].effective_from) == "2022-01-01" and units[0].effective_to is None
    assert str(units[1].effective_from) == "2022-02-15"
    assert str(units[1].effective_to) == "2030-12-31"


def test_problems_name_the_sheet_and_the_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["mã đơn vị", "tên đơn vị", "nhóm", "biểu mẫu"],
        ["SYT", "Sở Y tế", "Sở, ban, ngành", "cntt"],
        [None, None, None, None],  # Excel's blank rows are skipped, rows keep their numbers
        ["SYT", "Sở Y tế (trùng)", "Sở, ban, ngành", "cntt"],
        ["BDT", "Bưu điện", "Doanh nghiệp", "buuchinhh"],
    ]
    with pytest.raises(ConfigError) as caught:
        load_workspace(_office_on_xlsx(tmp_path, rows))
    assert [str(p) for p in caught.value.problems] == [
        'units.xlsx:Đơn vị:4: mã đơn vị: mã đơn vị "SYT" đã dùng ở dòng 2; hãy đặt mã khác',
        'units.xlsx:Đơn vị:5: biểu mẫu: không có biểu mẫu "buuchinhh"; có phải ý bạn là '
        '"buuchinh"?',
    ]


def test_a_missing_column_names_the_header_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [["mã đơn vị", "tên đơn vị", "nhom", "bieu mau"], ["A", "B"]]
    rows[0][2] = "nhóm đơn vị"
    with pytest.raises(ConfigError) as caught:
        load_workspace(_office_on_xlsx(tmp_path, rows))
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("units.xlsx:Đơn vị:1: ") and '"nhóm"' in problem


def test_a_file_that_is_no_workbook_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office_on_xlsx(tmp_path)
    not_a_workbook = "mã đơn vị,tên đơn vị\nSYT,Sở Y tế\n"
    (config.parent / "units.xlsx").write_text(not_a_workbook, encoding="utf-8")
    assert main(["check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "units.xlsx: không đọc được tệp Excel (BadZipFile)" in out
    assert "CSV UTF-8" in out


def test_check_summarises_an_office_on_a_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office_on_xlsx(tmp_path)
    capsys.readouterr()
    assert main(["check", "--config", str(config), "--today", "12/02/2022"]) == 0
    assert "Đơn vị đang hoạt động ngày 12/02/2022: 5" in capsys.readouterr().out
