"""`baocao invite` for an office on Zalo only, on Telegram only, or on both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support.offices import edit_file
from tests.support.zalo_server import FakeZaloServer


def _channels(config: Path, *, telegram: bool, zalo: bool) -> None:
    source = config.read_text(encoding="utf-8")
    head, _, rest = source.partition("[zalo]")
    head = head.replace("enabled = true", f"enabled = {str(telegram).lower()}", 1)
    rest = rest.replace("enabled = false", f"enabled = {str(zalo).lower()}", 1)
    config.write_text(head + "[zalo]" + rest, encoding="utf-8")


def test_an_office_on_zalo_only_gets_the_code_to_send_and_the_bot_name(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _channels(office, telegram=False, zalo=True)
    args = ["invite", "--config", str(office), "SYT", "--zalo-bot", "Báo cáo STTTT"]
    assert main([*args, "--json", "--out", str(tmp_path / "qr")]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["unit"] == "SYT" and item["code"] and "telegram" not in item
    assert item["zalo"]["send"] == f"/start {item['code']}"
    assert item["zalo"]["bot"] == "Báo cáo STTTT"
    assert "tìm bot «Báo cáo STTTT» trên Zalo" in item["zalo"]["instructions"]
    assert not (tmp_path / "qr").exists()  # no t.me link, so no QR code
    assert main(["invite", "--config", str(office), "SYT", "--zalo-bot", "Báo cáo STTTT"]) == 0
    shown = capsys.readouterr().out
    assert "gửi tin nhắn: /start " in shown and "t.me" not in shown


def test_the_zalo_name_is_asked_of_zalo_when_not_given(
    office: Path,
    fake_zalo: FakeZaloServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _channels(office, telegram=False, zalo=True)
    edit_file(
        office,
        'api_base_url = "https://bot-api.zaloplatforms.com/bot"',
        f'api_base_url = "{fake_zalo.base_url}"',
    )
    monkeypatch.setenv("BAOCAO_ZALO_TOKEN", fake_zalo.token)
    assert main(["invite", "--config", str(office), "SYT", "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["zalo"]["bot"] == "baocao_bot"


def test_a_zalo_office_without_token_or_name_is_told_what_to_set(
    office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _channels(office, telegram=False, zalo=True)
    monkeypatch.delenv("BAOCAO_ZALO_TOKEN", raising=False)
    assert main(["invite", "--config", str(office), "SYT"]) == 1
    assert "BAOCAO_ZALO_TOKEN" in capsys.readouterr().err


def test_an_office_on_both_gets_each_channels_instructions_for_one_code(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _channels(office, telegram=True, zalo=True)
    args = ["invite", "--config", str(office), "SYT", "--bot-username", "so_bot"]
    assert main([*args, "--zalo-bot", "so_bot_zalo", "--json", "--out", str(tmp_path)]) == 0
    [item] = json.loads(capsys.readouterr().out)
    assert item["telegram"]["link"] == f"https://t.me/so_bot?start={item['code']}"
    assert item["zalo"]["send"] == f"/start {item['code']}"
    assert item["telegram"]["instructions"].startswith("Telegram: mở link https://t.me/")
