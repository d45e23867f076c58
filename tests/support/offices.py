"""Offices for a test: one made by `baocao init` (the `office` fixture), or a small one written
from the starter's config with the test's units and form."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.paths import STARTER

# One form: a number of files and an optional note (where a unit types free text).
BC_FORM = """[form]
code = "bc"
title = "Báo cáo"

[[fields]]
key = "so"
question = "Số hồ sơ?"
label = "hồ sơ"
type = "integer"
measure = "hồ sơ"

[[fields]]
key = "ghi_chu"
question = "Ghi chú?"
type = "text"
required = false
"""


def write_office(folder: Path, units_csv: str, form: str = BC_FORM) -> Path:
    """Write the starter's config.toml, `units_csv` and forms/bc.toml; return the config path."""
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text((STARTER / "config.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "units.csv").write_text(units_csv, encoding="utf-8")
    (folder / "forms" / "bc.toml").write_text(form, encoding="utf-8")
    return config


def init_office(folder: Path) -> Path:
    """Make `folder` an office with `baocao init`; return its config path."""
    assert main(["init", str(folder)]) == 0
    return folder / "config.toml"


@pytest.fixture
def office(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The config path of an office made by `baocao init` under tmp_path (its output read)."""
    config = init_office(tmp_path / "office")
    capsys.readouterr()
    return config


def edit_file(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a text file by `new`; fail if the file no longer has it."""
    source = path.read_text(encoding="utf-8-sig")
    assert old in source, f"{path.name} no longer has {old!r}"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
