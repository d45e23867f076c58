"""The office's own wording: templates/texts/*.toml beside config.toml overrides the keys it
holds (the packaged text stays for every other), `baocao check` names what is wrong in it
with its line, and `baocao template export` writes the packaged texts there to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.workspace.load import load_workspace
from bot.workspace.problems import ConfigError
from templates.catalog import packaged_texts, text
from tests.support.harness import OFFICE_USER
from tests.support.paths import STARTER
from tests.support.world import World

STRANGER = 5000
OWN_WORDS = "Văn phòng UBND tỉnh: bot chỉ dành cho đầu mối đã được mời."


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A copy of the starter files; returns the config path."""
    shutil.copytree(STARTER, tmp_path / "office")
    return tmp_path / "office" / "config.toml"


def _own_texts(config: Path, name: str, body: str) -> Path:
    folder = config.parent / "templates" / "texts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


async def test_an_override_changes_what_the_bot_says_and_only_that(tmp_path: Path) -> None:
    world = await World.open(tmp_path)
    try:
        config = world.path.parent / "config.toml"
        _own_texts(config, "chat", f'stranger = "{OWN_WORDS}"\n')
        load_workspace(config)  # as the bot does at start
        stranger = await world.command(STRANGER, "start")
        office = await world.command(OFFICE_USER, "khongco")
    finally:
        await world.close()
    assert stranger[0].text == OWN_WORDS
    # Every other key is still the packaged text.
    assert "/tonghop" in office[0].text
    assert text("chat.help_sua") == packaged_texts("chat")["help_sua"].strip()


def test_the_packaged_texts_are_back_for_an_office_without_overrides(
    office: Path, tmp_path: Path
) -> None:
    _own_texts(office, "cli", 'check.failed = "Có lỗi."\n')
    load_workspace(office)
    assert text("cli.check.failed", count=1, config="x") == "Có lỗi."
    plain = tmp_path / "plain"
    shutil.copytree(STARTER, plain)
    load_workspace(plain / "config.toml")
    assert text("cli.check.failed", count=1, config="x") != "Có lỗi."


def test_check_names_an_unknown_key_a_jinja_error_and_an_unknown_value_with_lines(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _own_texts(
        office,
        "chat",
        "# Văn bản riêng\n\n"
        f'stranger = "{OWN_WORDS}"\n'
        'strangr = "Xin chào"\n'
        'help = """\n<b>Các lệnh</b>\n{% if channel %}\n"""\n'
        'help_baocao = "{{ ngay_mai }}"\n',
    )
    _own_texts(office, "chats", 'x = "y"\n')
    with pytest.raises(ConfigError) as caught:
        load_workspace(office)
    shown = [str(p) for p in caught.value.problems]
    assert shown[0].startswith("templates/texts/chat.toml:4: strangr: ")
    assert "không có khóa này" in shown[0]
    # The Jinja error points at the snippet's own line inside the multi-line string.
    jinja_line = _line_of(path, "{% if")
    assert jinja_line == 7
    assert shown[1].startswith(f"templates/texts/chat.toml:{jinja_line}: help: ")
    assert "sai cú pháp mẫu Jinja" in shown[1]
    assert shown[2].startswith("templates/texts/chat.toml:9: help_baocao: ")
    assert "ngay_mai" in shown[2]
    assert shown[3].startswith("templates/texts/chats.toml: ")
    assert main(["check", "--config", str(office)]) == 1
    out = capsys.readouterr().out
    assert "chat.toml:4: strangr" in out and "chats.toml" in out
    # A broken override is never installed: the bot keeps its packaged words.
    assert text("chat.stranger") != OWN_WORDS


def test_check_warns_of_a_value_the_override_leaves_out(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "{{ unit }}" in packaged_texts("chat")["welcome"]
    _own_texts(office, "chat", 'welcome = "Xin chào! Anh/chị đã được đăng ký với {{ office }}."\n')
    assert main(["check", "--config", str(office)]) == 0
    out = capsys.readouterr().out
    assert "Lưu ý: templates/texts/chat.toml:1: welcome: " in out
    assert "bỏ mất giá trị" in out and "unit" in out


def test_template_export_writes_the_texts_and_keeps_an_edited_file(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(office)
    assert main(["template", "export", "--config", config]) == 0
    folder = office.parent / "templates" / "texts"
    chat = folder / "chat.toml"
    written = chat.read_text(encoding="utf-8")
    assert written.startswith("# ") and "XÓA" in written.splitlines()[0]
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(
        p.stem for p in (Path("templates") / "texts").glob("*.toml")
    )
    assert f"Đã ghi {chat}" in capsys.readouterr().out
    # The copies as written pass the check and change nothing.
    assert main(["check", "--config", config]) == 0
    capsys.readouterr()
    chat.write_text(f'stranger = "{OWN_WORDS}"\n', encoding="utf-8")
    assert main(["template", "export", "--config", config]) == 1
    assert "--force" in capsys.readouterr().err
    assert chat.read_text(encoding="utf-8") == f'stranger = "{OWN_WORDS}"\n'
    assert main(["template", "export", "--force", "--config", config]) == 0
    assert chat.read_text(encoding="utf-8") == written
