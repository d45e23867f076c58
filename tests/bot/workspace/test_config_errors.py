"""Mistakes in config.toml: each is reported once, exactly, and all of them together."""

from __future__ import annotations

import dataclasses
from datetime import time
from pathlib import Path

import pytest

from bot.workspace.config import load_settings, read_settings
from bot.workspace.problems import ConfigError
from tests.support.paths import CONFIG_EXAMPLE
from tests.support.problem_lines import checked_lines


def write_config(folder: Path, edits: dict[str, str] | None = None, extra: str = "") -> Path:
    """The example with some lines replaced (old line -> new text) and text appended."""
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8")
    for old, new in (edits or {}).items():
        assert old in source, f"the example no longer has {old!r}"
        source = source.replace(old, new, 1)
    path = folder / "config.toml"
    path.write_text(source + extra, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    """The problem lines of a config file that must not load."""
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        pytest.param(
            {"window_start_day = 15": 'window_start_day = "15"'},
            'config.toml: regime.window_start_day: "15" là chuỗi chữ; '
            "hãy ghi một số nguyên, ví dụ 15",
            id="string-for-integer",
        ),
        pytest.param(
            {"enabled = true": 'enabled = "có"'},
            'config.toml: telegram.enabled: "có" là chuỗi chữ; hãy ghi true hoặc false, ví dụ true',
            id="string-for-bool",
        ),
        pytest.param(
            {"window_start_day = 15": "window_start_day = true"},
            "config.toml: regime.window_start_day: true là giá trị đúng/sai; "
            "hãy ghi một số nguyên, ví dụ 15",
            id="bool-for-integer",
        ),
        pytest.param(
            {"admins = [123456789]": 'admins = ["123456789"]'},
            'config.toml: office.admins: trong danh sách có "123456789" là chuỗi chữ; '
            "hãy ghi một danh sách số nguyên (không có ngoặc kép), ví dụ [123456789]",
            id="strings-for-ids",
        ),
        pytest.param(
            {'late_time = "08:00"': 'late_tme = "08:00"'},
            'config.toml: regime.late_tme: không có khóa này; có phải ý bạn là "late_time"?',
            id="unknown-key-with-suggestion",
        ),
        pytest.param(
            {"[zalo]": "[zallo]"},
            'config.toml: zallo: không có khóa này; có phải ý bạn là "zalo"?',
            id="unknown-section-with-suggestion",
        ),
        pytest.param(
            {"[storage]": "[storage]\ncolour = 'blue'"},
            "config.toml: storage.colour: không có khóa này; "
            "hãy xóa dòng này hoặc sửa lại tên khóa",
            id="unknown-key-without-suggestion",
        ),
        pytest.param(
            {"# deadline_working_days = 5": "deadline_working_days = 5"},
            "config.toml: regime.deadline_working_days: đã ghi cả deadline_day lẫn "
            "deadline_working_days; hãy chỉ giữ một trong hai",
            id="both-deadline-rules",
        ),
        pytest.param(
            {"deadline_day = 15": ""},
            "config.toml: regime.deadline_day: chưa ghi hạn nộp; hãy ghi deadline_day = 15 "
            "(hạn là ngày 15 hằng tháng) hoặc deadline_working_days = 5 (hạn là 5 ngày làm "
            "việc sau ngày chốt số liệu)",
            id="no-deadline-rule",
        ),
        pytest.param(
            {"deadline_day = 15": "deadline_day = 40"},
            "config.toml: regime.deadline_day: 40 không phải ngày hợp lệ; "
            "hãy ghi một số từ 1 đến 28",
            id="deadline-day-out-of-range",
        ),
        pytest.param(
            {'open_time = "08:00"': 'open_time = "25:00"'},
            'config.toml: regime.open_time: "25:00" không phải giờ hợp lệ; '
            'hãy ghi giờ dạng "HH:MM" từ "00:00" đến "23:59", ví dụ "08:00"',
            id="bad-time",
        ),
        pytest.param(
            {'timezone = "Asia/Ho_Chi_Minh"': 'timezone = "Asia/Hanoi_City"'},
            'config.toml: regime.timezone: "Asia/Hanoi_City" không phải múi giờ hợp lệ; '
            'hãy ghi tên múi giờ IANA, ví dụ "Asia/Ho_Chi_Minh"',
            id="bad-timezone",
        ),
        pytest.param(
            {'quiet_hours = ["21:00", "07:00"]': 'quiet_hours = ["21:00"]'},
            'config.toml: regime.quiet_hours: ["21:00"] không hợp lệ; hãy ghi hai giờ '
            '[bắt đầu, kết thúc], ví dụ ["21:00", "07:00"], hoặc [] để tắt giờ yên lặng',
            id="quiet-hours-shape",
        ),
        pytest.param(
            {'{ days_before = 1, at = "08:00" }': '{ days_before = 1, at = "8h" }'},
            'config.toml: regime.reminders[2].at: "8h" không phải giờ hợp lệ; '
            'hãy ghi giờ dạng "HH:MM" từ "00:00" đến "23:59", ví dụ "08:00"',
            id="bad-reminder-time",
        ),
        pytest.param(
            {'name = "Sở Thông tin và Truyền thông"': ""},
            "config.toml: office.name: thiếu khóa bắt buộc; "
            'hãy thêm dòng name = "Sở Thông tin và Truyền thông"',
            id="missing-office-key",
        ),
        pytest.param(
            {'short_code = "STTTT"': 'short_code = " "'},
            "config.toml: office.short_code: đang để trống; hãy ghi nội dung, ví dụ "
            'short_code = "STTTT"',
            id="blank-office-key",
        ),
        pytest.param(
            {'token_env = "BAOCAO_TELEGRAM_TOKEN"': 'token_env = "123456:fake-token"'},
            "config.toml: telegram.token_env: hãy ghi tên của biến môi trường chứa mã bí mật "
            '(chỉ chữ không dấu, chữ số và dấu _), ví dụ "BAOCAO_TELEGRAM_TOKEN"; '
            "đừng ghi chính mã bí mật vào tệp cấu hình",
            id="token-pasted-into-the-file",
        ),
        pytest.param(
            {'mode = "polling"': 'mode = "webhook"'},
            'config.toml: telegram.webhook_url: mode = "webhook" cần địa chỉ webhook; '
            'hãy ghi, ví dụ, webhook_url = "https://baocao.example.vn/telegram", '
            'hoặc dùng mode = "polling"',
            id="webhook-without-url",
        ),
        pytest.param(
            {'mode = "polling"': 'mode = "push"'},
            'config.toml: telegram.mode: "push" không phải giá trị được chấp nhận; '
            'hãy ghi một trong các giá trị "polling", "webhook"',
            id="unknown-mode",
        ),
        pytest.param(
            {"per_chat_per_second = 1": "per_chat_per_second = 0"},
            "config.toml: delivery.per_chat_per_second: 0 không hợp lệ; "
            "hãy ghi một số lớn hơn 0, ví dụ 1",
            id="zero-rate",
        ),
        pytest.param(
            {"expire_days = 14": "expire_days = 0"},
            "config.toml: invites.expire_days: 0 nằm ngoài khoảng cho phép; "
            "hãy ghi một số từ 1 đến 365",
            id="integer-out-of-range",
        ),
    ],
)
def test_a_mistake_is_reported_exactly(
    tmp_path: Path, edits: dict[str, str], expected: str
) -> None:
    path = write_config(tmp_path, edits)
    assert checked_lines(path, problems_of(path)) == [expected]


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[office]\nname = "Sở\nplace = "Trà Vinh"\n', encoding="utf-8")
    assert problems_of(path) == [
        "config.toml:2: sai cú pháp TOML (Illegal character '\\n'); hãy kiểm tra dấu ngoặc "
        "kép, dấu = và dấu ngoặc vuông ở dòng này"
    ]


def test_a_syntax_error_at_the_end_names_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[office]\nrecipients = ["Lưu: VT",\n', encoding="utf-8")
    assert problems_of(path)[0].startswith("config.toml:2: sai cú pháp TOML")


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "window_start_day = 15": 'window_start_day = "15"',
            'open_time = "08:00"': 'open_time = "25:00"',
            'timezone = "Asia/Ho_Chi_Minh"': 'timezone = "Mars/Olympus"',
            "# deadline_working_days = 5": "deadline_working_days = 5",
            "expire_days = 14": "expire_days = 0",
        },
        extra="\n[export]\nsheet = 'x'\n",
    )
    assert checked_lines(path, problems_of(path)) == [
        'config.toml: regime.timezone: "Mars/Olympus" không phải múi giờ hợp lệ; '
        'hãy ghi tên múi giờ IANA, ví dụ "Asia/Ho_Chi_Minh"',
        'config.toml: regime.window_start_day: "15" là chuỗi chữ; hãy ghi một số nguyên, ví dụ 15',
        'config.toml: regime.open_time: "25:00" không phải giờ hợp lệ; '
        'hãy ghi giờ dạng "HH:MM" từ "00:00" đến "23:59", ví dụ "08:00"',
        "config.toml: regime.deadline_working_days: đã ghi cả deadline_day lẫn "
        "deadline_working_days; hãy chỉ giữ một trong hai",
        "config.toml: invites.expire_days: 0 nằm ngoài khoảng cho phép; "
        "hãy ghi một số từ 1 đến 365",
        "config.toml: export: không có khóa này; hãy xóa dòng này hoặc sửa lại tên khóa",
    ]


def test_the_error_message_lists_every_problem(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, {"window_start_day = 15": "window_start_day = 0", "expire_days = 14": ""}
    )
    path.write_text(path.read_text(encoding="utf-8") + "[extra]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).splitlines() == [str(p) for p in caught.value.problems]
    assert len(caught.value.problems) == 2


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "config.toml") == [
        "config.toml: không tìm thấy tệp cấu hình; hãy tạo bằng lệnh baocao init"
    ]


def test_a_storage_folder_that_does_not_exist(tmp_path: Path) -> None:
    path = write_config(tmp_path, {'path = "baocao.sqlite3"': 'path = "data/baocao.sqlite3"'})
    assert checked_lines(path, problems_of(path)) == [
        f"config.toml: storage.path: chưa có thư mục {tmp_path / 'data'}; "
        "hãy tạo thư mục này hoặc sửa đường dẫn"
    ]
    (tmp_path / "data").mkdir()
    assert load_settings(path).storage.path == tmp_path / "data" / "baocao.sqlite3"


def test_working_days_deadline_replaces_the_day(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {"# deadline_working_days = 5": "deadline_working_days = 5", "deadline_day = 15": ""},
    )
    regime = load_settings(path).regime
    assert (regime.deadline_day, regime.deadline_working_days) == (None, 5)


def test_quiet_hours_can_be_switched_off(tmp_path: Path) -> None:
    path = write_config(tmp_path, {'quiet_hours = ["21:00", "07:00"]': "quiet_hours = []"})
    regime = load_settings(path).regime
    assert (regime.quiet_start, regime.quiet_end) == (None, None)


def test_reminders_and_times_map_onto_the_regime(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            'deadline_time = "17:00"': 'deadline_time = "16:30"',
            'quiet_hours = ["21:00", "07:00"]': 'quiet_hours = ["22:00", "06:30"]',
        },
    )
    source = path.read_text(encoding="utf-8")
    start = source.index("reminders = [")
    end = source.index("]", start) + 1
    path.write_text(
        source[:start] + 'reminders = [{ days_before = 2, at = "14:00" }]' + source[end:],
        encoding="utf-8",
    )
    regime = load_settings(path).regime
    assert regime.deadline_time == time(16, 30)
    assert [(r.days_before, r.at) for r in regime.reminders] == [(2, time(14, 0))]
    assert (regime.quiet_start, regime.quiet_end) == (time(22, 0), time(6, 30))


def test_relative_paths_are_taken_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = tmp_path / "office"
    office.mkdir()
    path = write_config(office, {'units = "units.csv"': 'units = "data/units.csv"'})
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("office") / "config.toml")
    assert settings.data.units == office / "data" / "units.csv"
    assert settings.data.forms == office / "forms"
    assert settings.storage.path == office / "baocao.sqlite3"
    assert settings.source == path


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.office.name = "x"  # type: ignore[misc]


def test_a_broken_file_still_yields_settings_to_go_on_with(tmp_path: Path) -> None:
    settings, problems = read_settings(
        write_config(tmp_path, {"deadline_day = 15": "deadline_day = 40"})
    )
    assert settings is not None and settings.regime.deadline_day == 15
    assert len(problems) == 1


def test_an_integer_too_long_for_python_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[office]\nname = " + "1" * 5000 + "\n", encoding="utf-8")
    (problem,) = problems_of(path)
    assert problem.startswith("config.toml: sai cú pháp TOML"), problem[:200]
