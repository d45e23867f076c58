# ruff: noqa: E501 (answers and sentences kept whole, to be read as a table)
"""`baocao report --period 2022-Q1` on the sample data set (January and February only): the
quarter's figures are placeholders naming the units and March, never the two months' sums."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.docx_reading import table_lines


def test_the_sample_quarter_shows_march_missing(
    sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(sample_dir / "config.toml")
    answers = sorted(str(p) for p in (sample_dir / "answers").glob("*.toml"))
    assert main(["load-answers", "--config", config, *answers]) == 0
    out = sample_dir / "q1.md"
    assert main(["report", "--config", config, "--period", "2022-Q1", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Dự thảo báo cáo kỳ quý I/2022: 0/31 đơn vị đã báo cáo" in said
    draft = re.sub(r"[*\\]", "", out.read_text(encoding="utf-8"))
    assert (
        "kết quả công tác thông tin và truyền thông quý I năm 2022 và kế hoạch công tác quý II năm 2022"
        in draft
    )
    assert "III. KẾ HOẠCH CÔNG TÁC QUÝ II NĂM 2022" in draft
    # January's and February's figures are there, but the quarter's are not their sums.
    hotline = "Trung tâm Công nghệ thông tin - Truyền thông (thiếu tháng 03/2022)"
    assert (
        f"Số địa điểm gắn bảng quét mã QR tăng trong tháng: [chưa có số liệu: {hotline}]" in draft
    )
    assert f"Tổng văn bản đi trong tháng: [chưa có số liệu: {hotline}]" in draft
    # The review sheet's list names each missing unit with March.
    review = table_lines((sample_dir / "q1_ra-soat.docx").read_bytes())
    listed = [line for line in review if "(thiếu tháng 03/2022)" in line]
    assert len(listed) > 50
    # Hiếu Tử did not report February either (the sample's own gap).
    assert "UBND xã Hiếu Tử (thiếu tháng 02/2022, 03/2022)" in "\n".join([draft, *review])
    assert "thiếu tháng 01/2022" not in draft
