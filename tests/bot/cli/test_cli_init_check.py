"""`baocao init` then `baocao check`, run in-process through main(argv)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main as cli
from bot.cli.main import main
from tests.support.paths import STARTER

STARTER_FILES = [
    "config.toml",
    "forms/buuchinh.toml",
    "forms/cntt.toml",
    "forms/dvc.toml",
    "forms/phananh.toml",
    "units.csv",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token or config path leaks in from the machine running the tests."""
    for name in ("BAOCAO_CONFIG", "BAOCAO_TELEGRAM_TOKEN", "BAOCAO_ZALO_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def summary_lines(folder: Path) -> list[str]:
    return [
        f"Cấu hình hợp lệ: {folder / 'config.toml'}",
        "Cơ quan: Sở Thông tin và Truyền thông (STTTT), UBND TỈNH TRÀ VINH",
        "Đơn vị đang hoạt động ngày 12/02/2022: 5",
        "  Doanh nghiệp: 1",
        "  Đơn vị trực thuộc Sở: 1",
        "  Sở, ban, ngành: 2",
        "  UBND cấp xã: 1",
        "Biểu mẫu: 4",
        "  buuchinh (Hoạt động bưu chính): 2 câu hỏi, 2 bắt buộc; 1 đơn vị phải nộp",
        "    cộng dồn quý, năm: san_luong sum, doanh_thu sum",
        "  cntt (Ứng dụng công nghệ thông tin): 6 câu hỏi, 5 bắt buộc; 4 đơn vị phải nộp",
        "    cộng dồn quý, năm: vb_di sum, vb_di_ky_so sum, vb_di_giay sum, cts_moi sum, "
        "cts_luy_ke last",
        "  dvc (Dịch vụ công trực tuyến): 5 câu hỏi, 5 bắt buộc; 3 đơn vị phải nộp",
        "    cộng dồn quý, năm: hs_tiep_nhan sum, hs_truc_tuyen sum, hs_truc_tiep sum, "
        "ty_le_dung_han none",
        "  phananh (Phiếu phản ánh, kiến nghị): 4 câu hỏi, 4 bắt buộc; 1 đơn vị phải nộp",
        "    cộng dồn quý, năm: tiep_nhan sum, da_xu_ly sum, dang_xu_ly last, qua_han last",
        "Kỳ đang thu 02/2022: số liệu từ 15/01/2022 đến 14/02/2022; mở lúc 08:00 10/02/2022; "
        "hạn nộp 17:00 15/02/2022",
        "Kỳ sau 03/2022: số liệu từ 15/02/2022 đến 14/03/2022; mở lúc 08:00 10/03/2022; "
        "hạn nộp 17:00 15/03/2022",
        f"Dữ liệu lưu tại: {folder / 'baocao.sqlite3'}",
        "Telegram: bật (polling), mã bot lấy từ biến môi trường BAOCAO_TELEGRAM_TOKEN (chưa đặt)",
        "Zalo: tắt",
        "Quản trị viên: 1 trên Telegram, 0 trên Zalo",
    ]


@pytest.fixture
def office(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A folder made by `baocao init`."""
    assert main(["init", str(tmp_path / "office")]) == 0
    capsys.readouterr()
    return tmp_path / "office"


def test_init_writes_the_starter_and_says_what_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "office"
    assert main(["init", str(folder)]) == 0
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert written == sorted([*STARTER_FILES, ".gitignore"])
    for name in STARTER_FILES:
        assert (folder / name).read_bytes() == (STARTER / name).read_bytes()
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "Đã tạo:",
        *(f"  {folder / name}" for name in STARTER_FILES),
        f"  {folder / '.gitignore'}",
        "",
        "Các bước tiếp theo:",
        f"  1. Sửa {folder / 'config.toml'}: tên cơ quan, người ký, nơi nhận, mã Telegram của "
        "cán bộ quản trị (admins).",
        f"  2. Sửa {folder / 'units.csv'}: danh sách đơn vị và biểu mẫu mỗi đơn vị phải nộp "
        "(mở được bằng Excel).",
        f"  3. Sửa các biểu mẫu trong {folder / 'forms'}: mỗi biểu mẫu một tệp .toml.",
        f"  4. Kiểm tra: baocao check --config {folder / 'config.toml'}",
    ]


def test_init_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert "  4. Kiểm tra: baocao check --config config.toml" in capsys.readouterr().out
    assert main(["check", "--today", "12/02/2022"]) == 0


def test_init_quotes_a_folder_with_spaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "so tttt"
    assert main(["init", str(folder)]) == 0
    assert f'baocao check --config "{folder / "config.toml"}"' in capsys.readouterr().out


def test_init_refuses_to_overwrite(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (office / "units.csv").write_text("mine", encoding="utf-8")
    (office / "forms" / "cntt.toml").unlink()
    assert main(["init", str(office)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "Không ghi tệp nào vì các tệp sau đã có:",
        f"  {office / 'config.toml'}",
        f"  {office / 'forms' / 'buuchinh.toml'}",
        f"  {office / 'forms' / 'dvc.toml'}",
        f"  {office / 'forms' / 'phananh.toml'}",
        f"  {office / 'units.csv'}",
        f"Để ghi đè chúng bằng tệp mẫu, chạy lại với --force: baocao init {office} --force",
    ]
    assert (office / "units.csv").read_text(encoding="utf-8") == "mine"
    assert not (office / "forms" / "cntt.toml").exists()


def test_init_force_overwrites(office: Path) -> None:
    (office / "units.csv").write_text("mine", encoding="utf-8")
    assert main(["init", str(office), "--force"]) == 0
    assert (office / "units.csv").read_bytes() == (STARTER / "units.csv").read_bytes()


def test_check_after_init_prints_the_summary(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", str(office / "config.toml"), "--today", "12/02/2022"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        *summary_lines(office),
        *starter_warning(office),
    ]


def starter_warning(folder: Path) -> list[str]:
    """What check says about an office whose config is the starter's, unedited."""
    return [
        f"Lưu ý: {folder / 'config.toml'} còn 3 giá trị mẫu của baocao init chưa sửa:",
        '  office.signer_name = "Nguyễn Văn A": họ tên người ký mẫu, sẽ in trên báo cáo; '
        "hãy ghi họ tên người ký thật",
        "  office.admins = 123456789: mã Telegram mẫu, không phải của ai trong cơ quan; "
        "hãy ghi mã của cán bộ quản trị (nhắn /toi cho bot để biết mã)",
        "  office.drafts_chat = -1001234567890: nhóm nhận dự thảo mẫu, bản dự thảo sẽ không "
        "tới ai; hãy ghi mã nhóm Telegram của cơ quan (số âm)",
        "Bot vẫn chạy được với các giá trị này, nhưng hãy sửa trước khi dùng thật.",
    ]


def test_check_keeps_collecting_late_answers_until_the_next_period_opens(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(office / "config.toml")
    # After the deadline of 02/2022 late units still answer it, until 03/2022 opens on 10/03.
    assert main(["check", "--config", config, "--today", "16/02/2022"]) == 0
    out = capsys.readouterr().out
    assert "Kỳ đang thu 02/2022: số liệu từ 15/01/2022 đến 14/02/2022" in out
    assert "Kỳ sau 03/2022: số liệu từ 15/02/2022 đến 14/03/2022" in out
    assert main(["check", "--config", config, "--today", "11/03/2022"]) == 0
    out = capsys.readouterr().out
    assert "Kỳ đang thu 03/2022: số liệu từ 15/02/2022 đến 14/03/2022" in out


def test_check_reads_the_config_path_from_the_environment(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BAOCAO_CONFIG", str(office / "config.toml"))
    monkeypatch.setenv("BAOCAO_TELEGRAM_TOKEN", "set")
    assert main(["check", "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Cấu hình hợp lệ: {office / 'config.toml'}"
    assert "Telegram: bật (polling), mã bot lấy từ biến môi trường BAOCAO_TELEGRAM_TOKEN" in out


def test_check_counts_units_not_in_force(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    units = office / "units.csv"
    units.write_text(
        units.read_text(encoding="utf-8-sig").replace(
            "P6TV,UBND Phường 6,UBND cấp xã,cntt;dvc;phananh,Phường 6;UBND P6,,",
            "P6TV,UBND Phường 6,UBND cấp xã,cntt;dvc;phananh,Phường 6;UBND P6,,31/12/2021",
        ),
        encoding="utf-8",
    )
    assert main(["check", "--config", str(office / "config.toml"), "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == (
        "Đơn vị đang hoạt động ngày 12/02/2022: 4 (ngoài ra 1 đơn vị chưa có hoặc đã hết hiệu lực)"
    )
    assert "  UBND cấp xã: 1" not in out
    assert "  cntt (Ứng dụng công nghệ thông tin): 6 câu hỏi, 5 bắt buộc; 3 đơn vị phải nộp" in out


def test_check_on_broken_files_prints_every_problem(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = office / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace('open_time = "08:00"', 'open_time = "25:00"')
        .replace("[zalo]", "[zallo]"),
        encoding="utf-8",
    )
    units = office / "units.csv"
    units.write_text(
        units.read_text(encoding="utf-8-sig").replace("SYT,Sở Y tế,", ",Sở Y tế,"),
        encoding="utf-8",
    )
    cntt = office / "forms" / "cntt.toml"
    cntt.write_text(
        cntt.read_text(encoding="utf-8").replace('stock_of = "cts_moi"', 'stock_of = "cts_mo"'),
        encoding="utf-8",
    )
    assert main(["check", "--config", str(config)]) == 1
    lines = config.read_text(encoding="utf-8").splitlines()
    open_time, zallo = lines.index('open_time = "25:00"') + 1, lines.index("[zallo]") + 1
    assert capsys.readouterr().out.splitlines() == [
        f'config.toml:{open_time}: regime.open_time: "25:00" không phải giờ hợp lệ; '
        'hãy ghi giờ dạng "HH:MM" từ "00:00" đến "23:59", ví dụ "08:00"',
        f'config.toml:{zallo}: zallo: không có khóa này; có phải ý bạn là "zalo"?',
        "units.csv:5: mã đơn vị: chưa ghi mã đơn vị; hãy ghi một mã ngắn, không trùng, ví dụ SYT",
        'forms/cntt.toml:55: cts_luy_ke.stock_of: không có câu hỏi "cts_mo" trong biểu mẫu; '
        'có phải ý bạn là "cts_moi"?',
        f"Có 4 lỗi cần sửa. Sửa xong hãy chạy lại: baocao check --config {config}",
    ]


def test_check_without_a_config_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Không tìm thấy tệp cấu hình config.toml.",
        "Để tạo bộ cấu hình mẫu, chạy: baocao init .",
        "Nếu tệp cấu hình ở nơi khác: baocao check --config ĐƯỜNG_DẪN/config.toml",
    ]
    assert main(["check", "--config", str(tmp_path / "so" / "config.toml")]) == 2
    assert f"chạy: baocao init {tmp_path / 'so'}" in capsys.readouterr().err


def test_a_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--today", "31/02/2022"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        'Lỗi: argument --today: "31/02/2022" không phải ngày hợp lệ; hãy ghi dạng dd/mm/yyyy. '
        'Gõ "baocao --help" để xem hướng dẫn.'
    )


def test_help_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cách dùng: baocao")
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "init tạo bộ cấu hình và dữ liệu mẫu để bắt đầu" in lines
    assert "check kiểm tra cấu hình và dữ liệu, rồi in bản tóm tắt" in lines
    assert "status xem tiến độ báo cáo của các đơn vị" in lines
    assert main([]) == 2
    assert capsys.readouterr().err.strip() == (
        "Hãy chọn một lệnh: init, check, run, invite, status, remind, report, export, "
        "load-answers, template, demo, tickets, backup, doctor, jobs, chat, web, web-link. "
        'Gõ "baocao --help" để xem hướng dẫn.'
    )


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, cli.Command]]:
    """The command registry, restored after the test."""
    commands = dict(cli.COMMANDS)
    monkeypatch.setattr(cli, "COMMANDS", commands)
    yield commands


def test_a_registered_command_runs(
    registry: dict[str, cli.Command], capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[argparse.Namespace] = []

    def arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--period")

    @cli.command("example", help="cli.args.check", arguments=arguments)
    def remind(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    assert "example" in registry
    assert main(["example", "--period", "02/2022"]) == 7
    assert seen[0].period == "02/2022"
    assert main(["--help"]) == 0
    assert "example" in capsys.readouterr().out
    with pytest.raises(ValueError, match="registered twice"):
        cli.command("example", help="cli.args.check")(remind)


def test_commands_are_listed_in_the_order_of_their_modules(
    registry: dict[str, cli.Command], capsys: pytest.CaptureFixture[str]
) -> None:
    # A test (or a tool) may import one group's module before main() imports them all.
    assert main(["--help"]) == 0
    capsys.readouterr()
    backwards = list(registry.items())[::-1]
    registry.clear()
    registry.update(backwards)
    modules = [entry.run.__module__ for entry in cli.listed()]
    assert list(dict.fromkeys(modules)) == cli.COMMAND_MODULES


def test_check_shows_the_opening_the_bot_really_uses(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 06:30 is inside the quiet hours (21:00-07:00): the bot opens at 07:00, and says so.
    config = office / "config.toml"
    text = config.read_text(encoding="utf-8").replace('open_time = "08:00"', 'open_time = "06:30"')
    config.write_text(text, encoding="utf-8")
    assert main(["check", "--config", str(config), "--today", "12/02/2022"]) == 0
    out = capsys.readouterr().out
    assert "mở lúc 07:00 10/02/2022" in out and "06:30" not in out


@pytest.mark.parametrize("command", ["web", "demo"])
@pytest.mark.parametrize("port", ["70000", "0", "abc"])
def test_a_port_out_of_range_is_a_usage_error(
    command: str, port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--port", port]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        f'Lỗi: argument --port: "{port}" không phải cổng hợp lệ; hãy ghi một số từ 1 đến '
        '65535, ví dụ 8080. Gõ "baocao --help" để xem hướng dẫn.'
    )
