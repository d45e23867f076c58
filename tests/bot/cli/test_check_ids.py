"""`baocao check` on the admins' ids: Zalo's are hex strings, a number there is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.offices import edit_file


def _check_with(config: Path, line: str) -> int:
    edit_file(config, "\nzalo_admins = []\n", f"\n{line}\n")
    return main(["check", "--config", str(config), "--today", "12/02/2022"])


def test_a_zalo_hex_id_is_accepted(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _check_with(office, 'zalo_admins = ["e4ea2cd5189df1c3a88c"]') == 0
    assert "Quản trị viên: 1 trên Telegram, 1 trên Zalo" in capsys.readouterr().out


def test_a_number_for_a_zalo_id_is_refused_with_a_hex_example(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _check_with(office, "zalo_admins = [1234567890]") != 0
    shown = capsys.readouterr()
    said = shown.out + shown.err
    assert "office.zalo_admins" in said and "1234567890" in said
    assert '["e4ea2cd5189df1c3a88c"]' in said
