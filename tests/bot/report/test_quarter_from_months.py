# ruff: noqa: E501 (answers and sentences kept whole, to be read as a table)
"""A quarter compiled from three months loaded with `baocao load-answers`: flows summed,
stocks and month-end levels as they stood at the end, a ratio recomputed from its terms, a
unit missing a month named with the month, a late answer counted once. Every figure is
worked out by hand below."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from bot.cli.main import main
from tests.support.docx_reading import table_lines
from tests.support.offices import write_office

UNITS = "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\nA,Phòng A,Phòng,bc\nB,Phòng B,Phòng,bc\nC,Phòng C,Phòng,bc\n"
FORM = """[form]
code = "bc"
title = "Hồ sơ"

[[fields]]
key = "nhan"
question = "Số hồ sơ tiếp nhận trong tháng?"
type = "integer"
kind = "flow"

[[fields]]
key = "giai_quyet"
question = "Số hồ sơ giải quyết trong tháng?"
type = "integer"

[[fields]]
key = "dung_han"
question = "Trong đó đúng hạn?"
type = "integer"

[[fields]]
key = "ty_le"
question = "Tỷ lệ đúng hạn (%)?"
type = "percent"
ratio_of = ["dung_han", "giai_quyet"]

[[fields]]
key = "luy_ke"
question = "Lũy kế hồ sơ tiếp nhận?"
type = "integer"
kind = "stock"
stock_of = "nhan"

[[fields]]
key = "dang"
question = "Số hồ sơ đang xử lý cuối tháng?"
type = "integer"
aggregate = "last"
"""
REPORT = """subject = "kết quả {{ period_title }}"

[figures]
nhan = { form = "bc", field = "nhan" }
nhan_a = { form = "bc", field = "nhan", unit = "A" }
nhan_c = { form = "bc", field = "nhan", unit = "C" }
luy_ke = { form = "bc", field = "luy_ke" }
dang = { form = "bc", field = "dang" }
ty_le = { form = "bc", field = "ty_le" }
ty_le_ac = { form = "bc", field = "ty_le", units = ["A", "C"] }
dung_han_ac = { form = "bc", field = "dung_han", units = ["A", "C"] }
giai_quyet_ac = { form = "bc", field = "giai_quyet", units = ["A", "C"] }

[derived]
ty_le_tinh = { ratio = ["dung_han_ac", "giai_quyet_ac"] }

[[sections]]
key = "I"
number = "I."
title = "KẾT QUẢ {{ period_title | upper }}"

[[items]]
section = "I"
text = "Tiếp nhận: {{ nhan | number }}; A: {{ nhan_a | number }}; C: {{ nhan_c | number }}."

[[items]]
section = "I"
text = "Lũy kế: {{ luy_ke | number }}; đang xử lý: {{ dang | number }}."

[[items]]
section = "I"
text = "Đúng hạn A và C: {{ ty_le_ac | percent }} ({{ ty_le_tinh | percent }}); cả ba: {{ ty_le | percent }}."
"""
# (unit, nhan, giai_quyet, dung_han, typed ty_le, luy_ke, dang) by month; B skips February.
MONTHS = {
    "2025-01": [
        ("A", 10, 10, 8, "80", 110, 3),
        ("B", 5, 5, 5, "100", 55, 1),
        ("C", 4, 4, 2, "50", 44, 0),
    ],
    "2025-02": [("A", 20, 20, 15, "75", 130, 5), ("C", 6, 6, 6, "100", 50, 1)],
    "2025-03": [
        ("A", 30, 30, 27, "90", 160, 2),
        ("B", 7, 6, 6, "100", 67, 4),
        ("C", 8, 8, 7, "87,5", 58, 2),
    ],
}
ON_TIME = {
    "2025-01": "2025-01-13T09:00:00+07:00",
    "2025-02": "2025-02-13T09:00:00+07:00",
    "2025-03": "2025-03-13T09:00:00+07:00",
}
# C hands March in late (the deadline is Monday 17/03/2025, 17:00), having typed 80 for 8 first.
LATE = "2025-03-20T10:00:00+07:00"


def answers_file(period: str) -> str:
    parts = [f'period = "{period}"']
    for unit, nhan, gq, dh, rate, luy_ke, dang in MONTHS[period]:
        late = unit == "C" and period == "2025-03"
        parts.append(
            f'[[submission]]\nunit = "{unit}"\nform = "bc"\n'
            f"submitted_at = {LATE if late else ON_TIME[period]}\n"
            "[submission.answers]\n"
            f'nhan = "{nhan}"\ngiai_quyet = "{gq}"\ndung_han = "{dh}"\nty_le = "{rate}"\n'
            f'luy_ke = "{luy_ke}"\ndang = "{dang}"\n'
            + ('[submission.earlier]\nnhan = ["80"]\n' if late else "")
        )
    return "\n".join(parts)


def plain(markdown: str) -> str:
    return re.sub(r"[*\\]", "", markdown)


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The office with its three months loaded through `baocao load-answers`."""
    config = write_office(tmp_path, UNITS, FORM)
    (tmp_path / "report.toml").write_text(REPORT, encoding="utf-8")
    files = []
    for period in MONTHS:
        path = tmp_path / f"{period}.toml"
        path.write_text(answers_file(period), encoding="utf-8")
        files.append(str(path))
    assert main(["load-answers", "--config", str(config), *files]) == 0
    return config


@pytest.fixture
def quarter(office: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    out = office.parent / "q1.md"
    code = main(["report", "--config", str(office), "--period", "quý I/2025", "--out", str(out)])
    assert code == 0
    return plain(out.read_text(encoding="utf-8")), capsys.readouterr().out


def test_every_figure_of_the_quarter(quarter: tuple[str, str]) -> None:
    draft, _ = quarter
    assert "kết quả quý I năm 2025" in draft
    assert "I. KẾT QUẢ QUÝ I NĂM 2025" in draft
    # Flows: A 10 + 20 + 30; C 4 + 6 + 8 (its late March once, as corrected: 8, not 80).
    # B left February out: the total is a placeholder naming B and the month, never 78.
    assert (
        "Tiếp nhận: [chưa đủ số liệu, thiếu: Phòng B (thiếu tháng 02/2025); tạm tính: 78]; "
        "A: 60; C: 18." in draft
    )
    # Stocks and month-end levels as March left them: 160 + 67 + 58; 2 + 4 + 2 (not 23).
    assert "Lũy kế: 285; đang xử lý: 8." in draft
    # The rate recomputed: (8 + 15 + 27 + 2 + 6 + 7) / (10 + 20 + 30 + 4 + 6 + 8) = 65 / 78,
    # not the typed rates averaged or added; with B (no February) it cannot be known.
    assert (
        "Đúng hạn A và C: 83,33% (83,33%); cả ba: [chưa có số liệu: Phòng B (thiếu tháng "
        "02/2025)]." in draft
    )


def test_the_review_lists_name_the_unit_the_months_and_the_late_one(
    quarter: tuple[str, str], office: Path
) -> None:
    draft, said = quarter
    assert "Dự thảo báo cáo kỳ quý I/2025: 2/3 đơn vị đã báo cáo; 2 số liệu còn thiếu" in said
    # The lists are in the review sheet beside the draft.
    lines = table_lines((office.parent / "q1_ra-soat.docx").read_bytes())
    # B still owes February's form; C handed March in late, once.
    assert [line for line in lines if "Phòng B" in line and "Hồ sơ (02/2025)" in line]
    assert [line for line in lines if "Phòng C" in line and "10:00 20/03/2025" in line]
    assert draft.count("Phòng B (thiếu tháng 02/2025)") == 2  # twice in the text
    assert "\n".join(lines).count("Phòng B (thiếu tháng 02/2025)") == 2  # twice listed


def test_the_export_has_each_month_and_the_quarter(office: Path) -> None:
    out = office.parent / "q1.xlsx"
    assert main(["export", "--config", str(office), "--period", "2025-Q1", "--out", str(out)]) == 0
    sheet = openpyxl.load_workbook(out, read_only=True)["Hồ sơ"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    head = rows[0]
    assert head[:5] == [
        "Mã đơn vị",
        "Tên đơn vị",
        "Tháng chưa báo cáo",
        "Số hồ sơ tiếp nhận trong tháng? (01/2025)",
        "Số hồ sơ giải quyết trong tháng? (01/2025)",
    ]
    assert len(head) == 3 + 6 * 4  # six numeric questions: three months and the quarter
    by_unit = {row[0]: dict(zip(head, row, strict=True)) for row in rows[1:]}
    quarter = "(quý I/2025)"
    assert by_unit["A"][f"Số hồ sơ tiếp nhận trong tháng? {quarter}"] == 60
    assert by_unit["C"][f"Số hồ sơ tiếp nhận trong tháng? {quarter}"] == 18
    assert by_unit["B"]["Tháng chưa báo cáo"] == "02/2025"
    assert by_unit["B"]["Số hồ sơ tiếp nhận trong tháng? (02/2025)"] is None
    assert by_unit["B"][f"Số hồ sơ tiếp nhận trong tháng? {quarter}"] is None  # not 12
    assert by_unit["B"][f"Lũy kế hồ sơ tiếp nhận? {quarter}"] == 67
    assert by_unit["A"][f"Số hồ sơ đang xử lý cuối tháng? {quarter}"] == 2
    assert round(by_unit["C"][f"Tỷ lệ đúng hạn (%)? {quarter}"], 2) == 83.33  # 15 / 18
