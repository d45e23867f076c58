"""config.example.toml: it loads, every key is explained, every setting is shown."""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import is_dataclass

import pytest

from bot.workspace.config import load_settings
from bot.workspace.settings import Settings
from domain.periods import ReportingRegime
from tests.support.paths import CONFIG_EXAMPLE, REPO_ROOT, STARTER

# Settings fields that are not keys of the file.
NOT_KEYS = {"source"}
# ReportingRegime fields that the file writes under another name.
RENAMED = {"regime.quiet_start": "regime.quiet_hours", "regime.quiet_end": "regime.quiet_hours"}

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_COMMENTED_KEY = re.compile(r"^\s*#\s*([A-Za-z0-9_-]+)\s*=")


def _code(line: str) -> tuple[str, bool]:
    """A line without its strings and comment, and whether it had a comment."""
    without_strings = _STRING.sub('""', line)
    code, hash_, _ = without_strings.partition("#")
    return code, bool(hash_)


def undocumented_keys(source: str) -> list[str]:
    """Keys with no comment on the line(s) directly above or at the end of their line."""
    lines = source.splitlines()
    table, depth, missing = "", 0, []
    for number, line in enumerate(lines):
        code, commented = _code(line)
        if depth == 0:
            if header := _HEADER.match(code):
                table = header[1]
                continue
            if key := _KEY.match(code):
                above = lines[number - 1].strip() if number else ""
                if not commented and not above.startswith("#"):
                    missing.append(f"{table}.{key[1]}" if table else key[1])
        # Lines inside a multi-line array (reminders = [ {...}, ]) are not keys of the table.
        depth += code.count("[") - code.count("]") if not _HEADER.match(code) else 0
    return missing


def example_keys(source: str) -> set[str]:
    """section.key for every key set in the file, or shown commented out as an alternative."""
    keys = {f"{section}.{key}" for section, table in tomllib.loads(source).items() for key in table}
    table = ""
    for line in source.splitlines():
        if header := _HEADER.match(line):
            table = header[1]
        elif commented := _COMMENTED_KEY.match(line):
            keys.add(f"{table}.{commented[1]}")
    return keys


def settings_keys() -> set[str]:
    """section.key for every field of every section of Settings."""
    sections = typing.get_type_hints(Settings)
    keys = set()
    for section in dataclasses.fields(Settings):
        if section.name in NOT_KEYS:
            continue
        hints = typing.get_type_hints(sections[section.name])
        for field in dataclasses.fields(sections[section.name]):
            # A group of settings (tickets.limits) is written as keys of its section.
            group = hints[field.name]
            names = [f.name for f in dataclasses.fields(group)] if is_dataclass(group) else []
            for name in names or [field.name]:
                key = f"{section.name}.{name}"
                keys.add(RENAMED.get(key, key))
    return keys


def test_the_example_loads_into_settings() -> None:
    settings = load_settings(CONFIG_EXAMPLE)
    assert settings.office.name == "Sở Thông tin và Truyền thông"
    assert settings.office.signer_titles == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    assert settings.office.recipients[-1] == "Lưu: VT, VP."
    assert settings.office.admins == (123456789,)
    # The example spells out the defaults of the reporting regime, nothing else.
    assert settings.regime == ReportingRegime()
    assert settings.storage.path == REPO_ROOT / "baocao.sqlite3"
    assert settings.data.units == REPO_ROOT / "units.csv"
    assert settings.data.forms == REPO_ROOT / "forms"
    assert settings.telegram.token_env == "BAOCAO_TELEGRAM_TOKEN"
    assert settings.zalo.enabled is False


def test_the_starter_config_is_the_example() -> None:
    assert (STARTER / "config.toml").read_bytes() == CONFIG_EXAMPLE.read_bytes()


def test_every_key_of_the_example_has_a_comment() -> None:
    assert undocumented_keys(CONFIG_EXAMPLE.read_text(encoding="utf-8")) == []


def test_every_setting_has_a_key_in_the_example() -> None:
    missing = settings_keys() - example_keys(CONFIG_EXAMPLE.read_text(encoding="utf-8"))
    assert missing == set()


def test_every_key_of_the_example_is_a_setting() -> None:
    extra = example_keys(CONFIG_EXAMPLE.read_text(encoding="utf-8")) - settings_keys()
    assert extra == set()


@pytest.mark.parametrize(
    ("source", "missing"),
    [
        ("[office]\nname = 'x'\n", ["office.name"]),
        ("# about\n[office]\n# the name\nname = 'x'\nplace = 'y'  # where\n", []),
        (
            "[regime]\n# steps\nreminders = [\n  { days_before = 3 },\n]\nlate_time = '08:00'\n",
            ["regime.late_time"],
        ),
        ("[office]\n# a\nname = 'has # inside'\nplace = 'y # not a comment'\n", ["office.place"]),
    ],
)
def test_the_comment_check_finds_undocumented_keys(source: str, missing: list[str]) -> None:
    assert undocumented_keys(source) == missing


def test_the_key_check_sees_a_missing_setting() -> None:
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8").replace("late_max_reminders = 10\n", "")
    assert settings_keys() - example_keys(source) == {"regime.late_max_reminders"}
