"""Six months across a year boundary (15/12/2024 to 14/06/2025) compiled from monthly answers
loaded with `baocao load-answers`, compared with the same six months of 2024."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.docx_reading import full_text, open_docx
from tests.support.offices import write_office

UNITS = "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\nA,Phòng A,Phòng,bc\nB,Phòng B,Phòng,bc\n"
FORM = """[form]
code = "bc"
title = "Hồ sơ"

[[fields]]
key = "nhan"
question = "Số hồ sơ tiếp nhận trong tháng?"
label = "hồ sơ tiếp nhận"
measure = "hồ sơ"
type = "integer"

[[fields]]
key = "ton"
question = "Lũy kế hồ sơ?"
label = "hồ sơ lũy kế"
measure = "hồ sơ"
type = "integer"
kind = "stock"
stock_of = "nhan"

[[fields]]
key = "dang"
question = "Đang xử lý cuối tháng?"
label = "hồ sơ đang xử lý"
measure = "hồ sơ"
type = "integer"
aggregate = "last"
"""


def figures(year: int, unit: str, month: int) -> tuple[int, int, int]:
    """(received in the month, stock at its end, in progress at its end)."""
    if year == 2025:
        received = month if unit == "A" else 10 * month
        start = 100 if unit == "A" else 500
        done = sum(range(1, month + 1)) * (1 if unit == "A" else 10)
        return received, start + done, month if unit == "A" else 2 * month
    received = 2 if unit == "A" else 5 * month
    start = 88 if unit == "A" else 395
    done = 2 * month if unit == "A" else 5 * sum(range(1, month + 1))
    return received, start + done, 1 if unit == "A" else 3


def answers_file(year: int, month: int) -> str:
    parts = [f'period = "{year}-{month:02d}"']
    for unit in "AB":
        received, stock, level = figures(year, unit, month)
        parts.append(
            f'[[submission]]\nunit = "{unit}"\nform = "bc"\n'
            f"submitted_at = {year}-{month:02d}-10T09:00:00+07:00\n"
            f'[submission.answers]\nnhan = "{received}"\nton = "{stock}"\ndang = "{level}"\n'
        )
    return "\n".join(parts)


def test_six_months_add_up_and_compare_with_the_year_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_office(tmp_path, UNITS, FORM)
    files = []
    for year in (2024, 2025):
        for month in range(1, 7):
            path = tmp_path / f"{year}-{month:02d}.toml"
            path.write_text(answers_file(year, month), encoding="utf-8")
            files.append(str(path))
    assert main(["load-answers", "--config", str(config), *files]) == 0
    out = tmp_path / "h1.md"
    period = "6 tháng đầu năm 2025"
    assert main(["report", "--config", str(config), "--period", period, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert (
        "Dự thảo báo cáo kỳ 6 tháng đầu năm 2025: 2/2 đơn vị đã báo cáo; 0 số liệu còn thiếu"
        in said
    )
    draft = re.sub(r"[*\\]", "", out.read_text(encoding="utf-8"))
    assert "kết quả công tác thông tin và truyền thông 6 tháng đầu năm 2025" in draft
    # Received: A 1+2+...+6 = 21, B 10+20+...+60 = 210; in 2024 A 6 x 2 = 12, B 5 x 21 = 105.
    # 231 - 117 = 114, and 114 / 117 = 97,44%.
    assert "- Hồ sơ tiếp nhận: 231 hồ sơ (cùng kỳ năm trước: 117; tăng 114, 97,44%)." in draft
    # Stocks at the end of June: A 100 + 21, B 500 + 210 = 831; June 2024: 100 + 500 = 600.
    assert "- Hồ sơ lũy kế: 831 hồ sơ (cùng kỳ năm trước: 600; tăng 231, 38,50%)." in draft
    # In progress at the end of June: A 6 + B 12 = 18 (not the six months added); 2024: 1 + 3.
    assert "- Hồ sơ đang xử lý: 18 hồ sơ (cùng kỳ năm trước: 4; tăng 14, 350,00%)." in draft
    # The stocks follow on from the months before: no warning (in the review sheet beside).
    review = full_text(open_docx((tmp_path / "h1_ra-soat.docx").read_bytes()))
    assert "Không phát hiện số liệu chưa khớp." in review
