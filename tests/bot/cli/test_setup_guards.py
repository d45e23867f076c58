"""A set-up that cannot be left half done: check and doctor warn about the starter's sample
values, doctor counts focal points, invite tells a missing, a refused and an unreachable
token apart, invites land beside the config and init keeps them (and the database) out of git."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import pytest

import bot.doctor.checks
from bot.cli.main import main
from bot.demo.telegram_api import FakeTelegramServer
from bot.workspace.load import load_workspace
from storage import Database
from tests.support.offices import edit_file, init_office
from tests.support.ports import free_port

TOKEN_ENV = "BAOCAO_TELEGRAM_TOKEN"


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token or config path from the machine; free space never decides these tests."""
    for name in ("BAOCAO_CONFIG", TOKEN_ENV, "BAOCAO_ZALO_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(bot.doctor.checks, "MIN_FREE_MB", 0)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _edit_starter_values(config: Path) -> None:
    edit_file(config, 'signer_name = "Nguyễn Văn A"', 'signer_name = "Trần Thị Bình"')
    edit_file(config, "admins = [123456789]", "admins = [555000111]")
    edit_file(config, "drafts_chat = -1001234567890", "drafts_chat = -1009876543210")


def _with_base_url(config: Path, base_url: str) -> None:
    edit_file(config, '"https://api.telegram.org/bot"', f'"{base_url}"')


# ------------------------------------------------------------------ starter values


def test_check_warns_about_each_starter_value_and_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    code, out = _run(capsys, "check", "--config", str(config))
    assert code == 0
    assert "còn 3 giá trị mẫu của baocao init chưa sửa" in out
    for key in ("office.signer_name", "office.admins", "office.drafts_chat"):
        assert f"  {key} = " in out
    edit_file(config, 'signer_name = "Nguyễn Văn A"', 'signer_name = "Trần Thị Bình"')
    edit_file(config, "admins = [123456789]", "admins = [123456789, 555000111]")
    code, out = _run(capsys, "check", "--config", str(config))
    assert code == 0
    assert "còn 2 giá trị mẫu" in out and "office.signer_name" not in out
    assert "office.admins = 123456789:" in out  # the real admin beside it does not hide it
    edit_file(config, "admins = [123456789, 555000111]", "admins = [555000111]")
    edit_file(config, "drafts_chat = -1001234567890", "drafts_chat = -1009876543210")
    code, out = _run(capsys, "check", "--config", str(config))
    assert code == 0 and "giá trị mẫu" not in out


def test_doctor_notes_the_starter_values_without_failing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    code, out = _run(capsys, "doctor", "--config", str(config), "--offline")
    assert code == 0, out
    assert "[LƯU Ý] Giá trị mẫu: " in out and "office.admins = 123456789" in out
    assert out.rstrip().endswith("Không có gì cần sửa.")
    _edit_starter_values(config)
    code, out = _run(capsys, "doctor", "--config", str(config), "--offline")
    assert "[OK] Giá trị mẫu: không còn giá trị mẫu" in out


# ------------------------------------------------------------------ focal points


async def _database(config: Path, focal_points: list[tuple[str, str]]) -> None:
    workspace = load_workspace(config)
    db = await Database.open(workspace.settings.storage.path)
    try:
        async with db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            for unit, user in focal_points:
                await tx.focal_points.add(unit, "telegram", user, user, f"Người {user}")
    finally:
        await db.close()


def test_doctor_does_not_call_nobody_everybody(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    asyncio.run(_database(config, []))
    code, out = _run(capsys, "doctor", "--config", str(config), "--offline")
    assert code == 0, out  # a note: nobody invited yet is a step to take, not a fault
    assert "mọi đầu mối đều nhận được tin" not in out
    assert "[LƯU Ý] Đầu mối: chưa có đầu mối nào kết nối với bot" in out
    assert "baocao invite --all" in out


def test_doctor_counts_the_focal_points_it_says_are_reachable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    asyncio.run(_database(config, [("SYT", "71"), ("SYT", "72"), ("BDT", "73")]))
    code, out = _run(capsys, "doctor", "--config", str(config), "--offline")
    assert code == 0, out
    assert "[OK] Đầu mối: 3 đầu mối của 2 đơn vị, mọi đầu mối đều nhận được tin" in out


# ------------------------------------------------------------------ invite


def test_invite_without_a_token_asks_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = init_office(tmp_path / "office")
    code, out = _run(capsys, "invite", "--config", str(config), "SYT")
    assert code == 1
    assert f"biến môi trường {TOKEN_ENV} chưa có mã bot" in out
    assert "từ chối" not in out and "kết nối" not in out


def test_invite_with_a_refused_token_says_it_was_refused(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = init_office(tmp_path / "office")
    _with_base_url(config, fake_telegram.base_url)
    bad = "123456:AAWrongTokenWrongTokenWrongToken999"
    monkeypatch.setenv(TOKEN_ENV, bad)
    code, out = _run(capsys, "invite", "--config", str(config), "SYT")
    assert code == 1
    assert f"Telegram từ chối mã bot trong biến môi trường {TOKEN_ENV}" in out
    assert "@BotFather, lệnh /token" in out and "chưa có mã bot" not in out
    assert bad not in out and "AAWrongToken" not in out
    assert not (config.parent / "invites").exists()


def test_invite_with_the_api_unreachable_names_the_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    config = init_office(tmp_path / "office")
    _with_base_url(config, f"http://127.0.0.1:{port}/bot")
    token = "123456:AASecretSecretSecretSecretSecret000"
    monkeypatch.setenv(TOKEN_ENV, token)
    code, out = _run(capsys, "invite", "--config", str(config), "SYT")
    assert code == 1
    assert f"Không kết nối được tới 127.0.0.1:{port} để hỏi tên bot" in out
    assert "từ chối" not in out and "chưa có mã bot" not in out
    assert token not in out and "AASecret" not in out


def test_invites_land_beside_the_config_wherever_the_command_runs(
    tmp_path: Path,
    fake_telegram: FakeTelegramServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = init_office(tmp_path / "office")
    _with_base_url(config, fake_telegram.base_url)
    monkeypatch.setenv(TOKEN_ENV, fake_telegram.token)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out = _run(capsys, "invite", "--config", str(config), "SYT", "BDT")
    assert code == 0, out
    assert (config.parent / "invites" / "SYT.png").read_bytes().startswith(b"\x89PNG")
    assert (config.parent / "invites" / "BDT.png").is_file()
    assert str(config.parent / "invites" / "SYT.png") in out
    assert list(elsewhere.iterdir()) == []


# ------------------------------------------------------------------ .gitignore


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_init_keeps_invites_database_and_backups_out_of_git(tmp_path: Path) -> None:
    folder = tmp_path / "office"
    init_office(folder)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    kept_out = [
        "invites/SYT.png",
        "baocao.sqlite3",
        "baocao.sqlite3-wal",
        "baocao.sqlite3-shm",
        "baocao-2026-12-01.sqlite3",
        "backups/x.sqlite3",
    ]
    kept_in = ["config.toml", "units.csv", "forms/cntt.toml"]
    result = subprocess.run(
        ["git", "-C", str(folder), "check-ignore", *kept_out, *kept_in],
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == kept_out


def test_init_adds_its_block_to_an_existing_gitignore_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "office"
    folder.mkdir()
    (folder / ".gitignore").write_text("*.log", encoding="utf-8")
    init_office(folder)
    assert main(["init", str(folder), "--force"]) == 0
    lines = (folder / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "*.log"
    assert lines.count("/invites/") == 1 and "*.sqlite3" in lines
