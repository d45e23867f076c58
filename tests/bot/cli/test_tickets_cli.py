"""`baocao tickets ...` on an office made by `baocao init`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.cli.main import main

BAOCAO = Path(sys.executable).parent / ("baocao.exe" if os.name == "nt" else "baocao")
HEADER = [
    "Số phiếu",
    "Kênh tiếp nhận",
    "Ngày tiếp nhận",
    "Hạn xử lý",
    "Đơn vị chủ trì",
    "Tóm tắt",
    "Trạng thái",
]
ROWS = [
    [
        "1022-001",
        "Tổng đài 1022",
        datetime(2022, 1, 20),
        datetime(2022, 1, 30),
        "UBND P.6",
        "Đèn đường hỏng",
        "Đang xử lý",
    ],
    ["1022-002", "Zalo", "05/02/2022", "10/02/2022", "Sở Y Tế", "Rác", "Chưa xử lý"],
    ["1022-003", "Website", "2022-02-01", "2022-02-11", "Phòng Y tế huyện", "Ngập", ""],
    ["1022-004", "Trực tiếp", "2022-02-01", "2022-02-11", "Bưu điện tỉnh", "Thư", "Đã xử lý"],
    ["", "Trực tiếp", "2022-02-01", "", "Bưu điện tỉnh", "", ""],
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No config path leaks in from the machine running the tests."""
    monkeypatch.delenv("BAOCAO_CONFIG", raising=False)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *ROWS]:
        sheet.append(row)
    path = tmp_path / "phieu thang 2.xlsx"
    book.save(path)
    return path


def tickets(*args: str, config: Path) -> list[str]:
    return ["tickets", *args, "--config", str(config)]


def test_import_prints_the_summary(
    office: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(tickets("import", str(export), "--today", "14/02/2022", config=office)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "Đã nhập tệp phieu thang 2.xlsx: đọc 5 dòng; 4 phiếu mới, 0 phiếu cập nhật, "
        "0 phiếu không đổi, 1 dòng không nhập được.",
        "",
        "Chưa xác định được đơn vị xử lý của 1 phiếu (đã lưu, chờ giao đơn vị):",
        '  dòng 4, phiếu 1022-003: "Phòng Y tế huyện"; gần nhất: Sở Y tế (SYT)',
        "Giao đơn vị cho phiếu: baocao tickets assign MÃ_PHIẾU MÃ_ĐƠN_VỊ",
        "",
        "Dòng không nhập được:",
        '  dòng 6: chưa có mã phiếu (cột "Số phiếu")',
        "Sửa các dòng này trong tệp rồi nhập lại cả tệp (phiếu đã nhập chỉ được cập nhật, "
        "không nhân đôi).",
        "",
        "Phiếu quá hạn đến ngày 14/02/2022: 3",
        "  Sở Y tế: 1",
        "  UBND Phường 6: 1",
        "  Chưa giao đơn vị: 1",
    ]
    # Importing the same file again changes nothing and duplicates nothing.
    assert main(tickets("import", str(export), "--json", config=office)) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["rows_read"], again["new"], again["updated"], again["unchanged"]) == (5, 0, 0, 4)


def test_assign_then_list_and_figures(
    office: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(tickets("import", str(export), config=office)) == 0
    capsys.readouterr()

    assert main(tickets("assign", "1022-003", "SYT", config=office)) == 0
    assert capsys.readouterr().out.strip() == "Đã giao phiếu 1022-003 cho Sở Y tế (SYT)."
    assert main(tickets("assign", "1022-003", "sở y tế", config=office)) == 0
    assert "vốn đã giao cho Sở Y tế (SYT)" in capsys.readouterr().out

    assert main(tickets("list", "--today", "14/02/2022", config=office)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Không có phiếu nào chưa giao đơn vị.",
        "",
        "Phiếu quá hạn đến ngày 14/02/2022 (3):",
        "Sở Y tế:",
        "  1022-002, tiếp nhận 05/02/2022, quá hạn 4 ngày: Rác",
        "  1022-003, tiếp nhận 01/02/2022, quá hạn 3 ngày: Ngập",
        "UBND Phường 6:",
        "  1022-001, tiếp nhận 20/01/2022, quá hạn 15 ngày: Đèn đường hỏng",
    ]

    assert (
        main(tickets("figures", "--period", "2022-02", "--today", "14/02/2022", config=office)) == 0
    )
    assert capsys.readouterr().out.splitlines() == [
        "Phản ánh, kiến nghị kỳ 02/2022 (từ 15/01/2022 đến 14/02/2022), "
        "tình trạng đến ngày 14/02/2022:",
        "  Tiếp nhận trong kỳ: 4 (Tổng đài 1022: 1, Trực tiếp: 1, Website: 1, Zalo: 1)",
        "  Đã xử lý: 1; đang xử lý: 3, trong đó quá hạn: 3",
        "  Lũy kế từ khi triển khai: tiếp nhận 4, đã xử lý 1, đang xử lý 3, trong đó quá hạn 3",
        "Đơn vị có phiếu quá hạn:",
        "  Sở Y tế: 2",
        "  UBND Phường 6: 1",
    ]
    on_14_february = ("figures", "--period", "2022-02", "--today", "14/02/2022", "--json")
    assert main(tickets(*on_14_february, config=office)) == 0
    february = json.loads(capsys.readouterr().out)
    assert (february["period_start"], february["period_end"]) == ("2022-01-15", "2022-02-14")
    assert february["period"]["by_channel"]["hotline"] == 1
    assert february["overdue_units"][0] == {"unit_code": "SYT", "unit_name": "Sở Y tế", "count": 2}
    # Today, 02/2022 is long closed: its figures take the tickets as they stood when it
    # closed, before this list was imported.
    assert main(tickets("figures", "--period", "2022-02", "--json", config=office)) == 0
    assert json.loads(capsys.readouterr().out)["cumulative"]["received"] == 0
    # The window of 01/2022 ends on 14/01/2022, before the first ticket.
    assert main(tickets("figures", "--period", "2022-01", "--json", config=office)) == 0
    assert json.loads(capsys.readouterr().out)["cumulative"]["received"] == 0


def test_figures_count_since_the_campaign_start_of_report_toml_as_the_report_does(
    office: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(tickets("import", str(export), config=office)) == 0
    declared = '[tickets]\nform = "phananh"\nunit = "P6TV"\nsince = 2022-02-01\n'
    (office.parent / "report.toml").write_text(declared, "utf-8")
    capsys.readouterr()
    on_14_february = ("figures", "--period", "2022-02", "--today", "14/02/2022", "--json")
    assert main(tickets(*on_14_february, config=office)) == 0
    february = json.loads(capsys.readouterr().out)
    # 1022-001, received on 20/01/2022, came before the campaign the report counts from.
    assert (february["campaign_start"], february["cumulative"]["received"]) == ("2022-02-01", 3)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["assign", "1022-999", "SYT"], 1, 'Không có phiếu mã "1022-999"'),
        (["assign", "1022-003", "SYTT"], 1, 'Không có đơn vị "SYTT"; có phải Sở Y tế (SYT)?'),
        (["assign", "1022-003", "Công an"], 1, "hãy ghi mã đơn vị trong units.csv"),
        (["import", "no-such-file.xlsx"], 1, "Không đọc được tệp no-such-file.xlsx"),
        (["figures", "--period", "13/2022"], 2, '"13/2022" không phải kỳ báo cáo hợp lệ'),
    ],
)
def test_failures_say_why_with_their_exit_code(
    office: Path,
    export: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    assert main(tickets("import", str(export), config=office)) == 0
    capsys.readouterr()
    assert main(tickets(*args, config=office)) == code
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_an_unreadable_export_imports_nothing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "phieu.csv"
    bad.write_text("STT,Nội dung\n1,x\n", encoding="utf-8")
    assert main(tickets("import", str(bad), config=office)) == 1
    assert "Tệp phieu.csv thiếu cột bắt buộc" in capsys.readouterr().err
    assert main(tickets("list", config=office)) == 0
    assert "Không có phiếu nào chưa giao đơn vị." in capsys.readouterr().out


def test_a_broken_config_exits_1(
    office: Path, export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office.write_text(
        office.read_text(encoding="utf-8").replace('campaign_start = ""', 'campaign_start = "x"'),
        encoding="utf-8",
    )
    assert main(tickets("import", str(export), config=office)) == 1
    assert 'tickets.campaign_start: "x" không phải ngày hợp lệ' in capsys.readouterr().err


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tickets"]) == 2
    assert "Hãy chọn một lệnh con: import, assign, list, figures." in capsys.readouterr().err
    assert main(["tickets", "import"]) == 2  # FILE missing
    capsys.readouterr()
    assert main(["--help"]) == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert any(line.startswith("tickets nhập và theo dõi phiếu phản ánh") for line in lines)


@pytest.mark.slow
def test_the_installed_command(office: Path, export: Path) -> None:
    assert BAOCAO.exists(), f"{BAOCAO} is missing: run `.venv/bin/pip install -e .`"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    env["PYTHONIOENCODING"] = "cp1252"  # a legacy console must not make Vietnamese crash
    done = subprocess.run(
        [str(BAOCAO), "tickets", "import", str(export), "--config", str(office)],
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Đã nhập tệp phieu thang 2.xlsx: đọc 5 dòng; 4 phiếu mới")
