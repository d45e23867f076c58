"""`baocao demo` ends on the office's dashboard: its address and a one-time login link on the
demo's database, served until Ctrl-C; a busy port gives way to a free one."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.dashboard import BAOCAO


def _read_until_ctrl_c(process: subprocess.Popen[str]) -> str:
    """What the demo printed up to its dashboard's last line (the server is listening)."""
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            return "".join(lines)
    raise AssertionError("the demo ended without serving its dashboard:\n" + "".join(lines))


@pytest.mark.slow
def test_the_demo_serves_its_month_on_the_dashboard_until_ctrl_c(tmp_path: Path) -> None:
    with socket.socket() as busy:  # someone else's server on the port asked for
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        command = [str(BAOCAO), "demo", "--out", str(tmp_path / "demo"), "--port", str(taken)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("BAOCAO_")}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8"
        )
        try:
            printed = _read_until_ctrl_c(process)
            assert "Đơn vị đã gửi: 30/31" in printed  # the month's summary came first
            found = re.search(r"(http://127\.0\.0\.1:(\d+))/web/login\?\S+", printed)
            assert found is not None, printed
            base, link = found[1], found[0]
            assert int(found[2]) != taken and f"{base}/web/" in printed
            with httpx.Client(base_url=base) as client:
                assert client.get("/web/").status_code == 303  # no session: no data
                assert client.get(link.removeprefix(base)).status_code == 200
                page = client.get("/web/").text
                assert "Kỳ báo cáo 02/2022" in page and "30/31" in page
                assert "UBND xã Hiếu Tử" in page and "Sở Y tế" in page
            with httpx.Client(base_url=base) as stranger:
                assert stranger.get(link.removeprefix(base)).status_code == 403  # used once
        finally:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Bảng theo dõi đã dừng." in out
