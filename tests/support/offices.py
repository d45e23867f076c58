"""Small offices written for a test: the starter's config with the test's units and form."""

from __future__ import annotations

from pathlib import Path

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
