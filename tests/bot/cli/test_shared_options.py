"""The options every command shares are defined once (bot/cli/options.py) and mean the same
in every command: `--today D` is noon of D in the office's time zone."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main as cli
from bot.cli.main import main
from templates.catalog import text
from tests.support.paths import REPO_ROOT

CLI = REPO_ROOT / "bot" / "cli"
SHARED = ("--config", "--today", "def checked_workspace", "def config_path")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No config path leaks in from the machine running the tests."""
    monkeypatch.delenv("BAOCAO_CONFIG", raising=False)


def shared_declarations(folder: Path) -> list[str]:
    """Where a module other than options.py declares a shared option or the loading."""
    return [
        f"{path.name}: {word}"
        for path in sorted(folder.glob("*.py"))
        if path.name != "options.py"
        for word in SHARED
        if f'"{word}"' in (source := path.read_text(encoding="utf-8")) or f"\n{word}(" in source
    ]


def test_the_shared_options_are_declared_only_in_options_py() -> None:
    assert shared_declarations(CLI) == []


def test_a_second_declaration_is_found(tmp_path: Path) -> None:
    (tmp_path / "options.py").write_text('parser.add_argument("--config")\n', encoding="utf-8")
    (tmp_path / "mine.py").write_text('parser.add_argument("--today")\n', encoding="utf-8")
    (tmp_path / "other.py").write_text("\ndef checked_workspace(args):\n", encoding="utf-8")
    found = shared_declarations(tmp_path)
    assert found == ["mine.py: --today", "other.py: def checked_workspace"]


def parsers(
    parser: argparse.ArgumentParser, path: str = "baocao"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every (sub-)command's parser, named as it is typed."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from parsers(child, f"{path} {name}")


def with_option(option: str) -> dict[str, str | None]:
    """The commands that take `option`, and the help each gives it."""
    for module in cli.COMMAND_MODULES:
        importlib.import_module(module)
    return {
        path: action.help
        for path, parser in parsers(cli.build_parser())
        for action in parser._actions
        if option in action.option_strings
    }


def test_every_command_explains_the_shared_options_alike() -> None:
    today = with_option("--today")
    assert set(today) == {
        "baocao check",
        "baocao tickets import",
        "baocao tickets list",
        "baocao tickets figures",
    }
    assert set(today.values()) == {text("cli.args.today")}
    assert "12 giờ trưa" in text("cli.args.today")
    config = with_option("--config")
    simple = "check run invite status remind report export load-answers backup doctor chat web"
    simple += " web-link"
    actions = ("import", "assign", "list", "figures")
    assert set(config) == (
        {f"baocao {name}" for name in simple.split()}
        | {f"baocao tickets {action}" for action in actions}
        | {f"baocao jobs {action}" for action in ("list", "retry", "drop")}
        | {"baocao template export"}
    )
    assert set(config.values()) == {text("cli.args.config")}


def test_today_is_noon_in_check(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 03/2022 opens at 08:00 on 10/03/2022: by noon it is the period being collected.
    assert main(["check", "--config", str(office), "--today", "10/03/2022"]) == 0
    assert "Kỳ đang thu 03/2022:" in capsys.readouterr().out


def test_today_is_noon_in_tickets(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tickets", "figures", "--config", str(office), "--today", "10/03/2022"]) == 0
    assert "Phản ánh, kiến nghị kỳ 03/2022 " in capsys.readouterr().out
