"""load_workspace: config, units and forms together, their problems in one list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.workspace.load import load_workspace
from bot.workspace.problems import ConfigError
from tests.support.offices import edit_file
from tests.support.paths import STARTER


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A copy of the starter files; returns the config path."""
    shutil.copytree(STARTER, tmp_path / "office")
    return tmp_path / "office" / "config.toml"


def test_the_starter_workspace_loads(office: Path) -> None:
    workspace = load_workspace(office)
    assert workspace.settings.office.short_code == "STTTT"
    assert [u.code for u in workspace.units] == ["BDT", "TTCNTT", "VPUBND", "SYT", "P6TV"]
    assert sorted(workspace.forms) == ["buuchinh", "cntt", "dvc", "phananh"]
    owed = {form for unit in workspace.units for form in unit.forms}
    assert owed == set(workspace.forms)


def test_problems_of_all_files_come_together(office: Path) -> None:
    edit_file(office, "deadline_day = 15", "deadline_day = 40")
    edit_file(office.parent / "units.csv", "SYT,Sở Y tế", "VPUBND,Sở Y tế")
    edit_file(office.parent / "forms" / "dvc.toml", 'type = "percent"', 'type = "percnt"')
    with pytest.raises(ConfigError) as caught:
        load_workspace(office)
    lines = office.read_text(encoding="utf-8").splitlines()
    deadline = lines.index("deadline_day = 40") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"config.toml:{deadline}: regime.deadline_day: 40 không phải ngày hợp lệ; "
        "hãy ghi một số từ 1 đến 28",
        'units.csv:5: mã đơn vị: mã đơn vị "VPUBND" đã dùng ở dòng 4; hãy đặt mã khác',
        'forms/dvc.toml:36: ty_le_dung_han.type: "percnt" không phải kiểu hợp lệ; '
        'có phải ý bạn là "percent"?',
    ]


def test_a_unit_owing_a_broken_form_is_not_blamed(office: Path) -> None:
    # dvc.toml has a mistake, but it does declare "dvc": units owing it are fine.
    edit_file(office.parent / "forms" / "dvc.toml", "min = 0\nmax = 100", "min = 100\nmax = 0")
    with pytest.raises(ConfigError) as caught:
        load_workspace(office)
    assert [p.file for p in caught.value.problems] == ["forms/dvc.toml"]


def test_data_files_elsewhere_are_shown_by_full_path(office: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared-units.csv"
    elsewhere.write_text("code,name,group,forms\nX,Y,Z,khong_co\n", encoding="utf-8")
    edit_file(office, 'units = "units.csv"', f'units = "{elsewhere.as_posix()}"')
    with pytest.raises(ConfigError) as caught:
        load_workspace(office)
    assert [p.file for p in caught.value.problems] == [str(elsewhere)]


def test_an_unparsable_config_stops_before_the_data(office: Path) -> None:
    office.write_text("[office\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_workspace(office)
    assert [(p.file, p.code, p.line) for p in caught.value.problems] == [
        ("config.toml", "toml_syntax", 1)
    ]
