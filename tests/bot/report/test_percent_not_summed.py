"""A typed percentage is never added up across units: the starter's monthly draft once
printed «tỷ lệ đúng hạn: 289,8» (99,5 + 100 + 90,3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.offices import init_office

ANSWERS = """period = "2022-02"
{entries}"""
ENTRY = """
[[submission]]
unit = "{unit}"
form = "dvc"
submitted_at = 2022-02-14T09:00:00+07:00
[submission.answers]
hs_tiep_nhan = "{n}"
hs_truc_tuyen = "{n}"
hs_truc_tiep = "0"
ty_le_dung_han = "{rate}"
cong_khai = "Đã công khai"
"""


def test_the_starter_draft_shows_the_units_range_not_a_sum(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    rates = {"VPUBND": "99,5", "SYT": "100", "P6TV": "90,3"}
    entries = "".join(ENTRY.format(unit=u, n=10, rate=r) for u, r in rates.items())
    answers = tmp_path / "2022-02.toml"
    answers.write_text(ANSWERS.format(entries=entries), encoding="utf-8")
    assert main(["load-answers", "--config", str(config), str(answers)]) == 0
    out = tmp_path / "draft.md"
    assert main(["report", "--config", str(config), "--period", "2022-02", "--out", str(out)]) == 0
    capsys.readouterr()
    draft = out.read_text(encoding="utf-8")
    assert "Tỷ lệ đúng hạn: 90,30% – 100,00%" in draft
    assert "289" not in draft
    assert "Hồ sơ tiếp nhận: 30 hồ sơ" in draft  # counts still add up
