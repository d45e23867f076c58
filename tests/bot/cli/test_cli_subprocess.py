"""The installed `baocao` console script, run as an administrator would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts Python processes (a second or two each): left out of the quick run.
pytestmark = pytest.mark.slow

BAOCAO = Path(sys.executable).parent / ("baocao.exe" if os.name == "nt" else "baocao")


def run(*args: str, cwd: Path, encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
    assert BAOCAO.exists(), f"{BAOCAO} is missing: run `.venv/bin/pip install -e .`"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
    # A legacy console code page must not make Vietnamese output crash.
    env["PYTHONIOENCODING"] = encoding
    return subprocess.run(
        [str(BAOCAO), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_init_then_check(tmp_path: Path, encoding: str) -> None:
    made = run("init", "office", cwd=tmp_path, encoding=encoding)
    assert (made.returncode, made.stderr) == (0, "")
    assert "  4. Kiểm tra: baocao check --config office/config.toml" in made.stdout.splitlines()

    checked = run(
        "check",
        "--config",
        "office/config.toml",
        "--today",
        "12/02/2022",
        cwd=tmp_path,
        encoding=encoding,
    )
    assert (checked.returncode, checked.stderr) == (0, "")
    lines = checked.stdout.splitlines()
    assert lines[0] == f"Cấu hình hợp lệ: {tmp_path / 'office' / 'config.toml'}"
    assert (
        "Kỳ đang thu 02/2022: số liệu từ 15/01/2022 đến 14/02/2022; mở lúc 08:00 10/02/2022; "
        "hạn nộp 17:00 15/02/2022" in lines
    )


def test_check_of_a_broken_config_exits_1(tmp_path: Path) -> None:
    assert run("init", ".", cwd=tmp_path).returncode == 0
    config = tmp_path / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("deadline_day = 15", "deadline_day = 40"),
        encoding="utf-8",
    )
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 1
    deadline = config.read_text(encoding="utf-8").splitlines().index("deadline_day = 40") + 1
    assert checked.stdout.splitlines() == [
        f"config.toml:{deadline}: regime.deadline_day: 40 không phải ngày hợp lệ; "
        "hãy ghi một số từ 1 đến 28",
        "Có 1 lỗi cần sửa. Sửa xong hãy chạy lại: baocao check --config config.toml",
    ]


def test_check_without_config_exits_2(tmp_path: Path) -> None:
    checked = run("check", cwd=tmp_path)
    assert checked.returncode == 2
    assert checked.stderr.splitlines()[1] == "Để tạo bộ cấu hình mẫu, chạy: baocao init ."
