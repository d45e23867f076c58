"""Positions of keys in TOML text: tricky files, every TOML file of the repository, and the
problems of forms and config.toml that carry them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.workspace.config import read_settings
from bot.workspace.forms_file import read_forms
from bot.workspace.load import load_workspace
from bot.workspace.report_spec import ReportSpecError, load_spec
from bot.workspace.toml_positions import Position, TomlPath, toml_positions
from tests.support.paths import CONFIG_EXAMPLE, REPO_ROOT, STARTER
from tests.support.sample_data import SAMPLE

TRICKY = (
    "\ufeff# a comment with \"\"\" and ''' in it, and key = 1\r\n"
    "[form]\r\n"
    'code = "cntt" # """\r\n'
    'description = """\r\n'
    "key = 'not a key'\r\n"
    '[[fields]] is text too \\"""\r\n'
    '"""\r\n'
    "\r\n"
    "[[fields]]\r\n"
    'key = "a"\r\n'
    "min_value = 0\r\n"
    "[[fields]]\r\n"
    '"quoted \\"key\\"" = \'b # not a comment\'\r\n'
    "parts = [\r\n"
    '  "a", # first\r\n'
    "  '''b''',\r\n"
    "]\r\n"
    "[[fields.options]]\r\n"
    "v = 1\r\n"
    "[regime]\r\n"
    'reminders = [{ days_before = 3, at = "08:00" }, { days_before = 1, at = "25:00" }]\r\n'
    "x.y = 1979-05-27 07:32:00\r\n"
    's = """ends with a quote""""\r\n'
    "after = true\r\n"
)


def _where(path: TomlPath) -> tuple[int, int]:
    found = toml_positions(TRICKY)[path]
    return found.line, found.column


@pytest.mark.parametrize(
    ("path", "line", "column"),
    [
        (("form",), 2, 1),
        (("form", "code"), 3, 1),
        (("form", "description"), 4, 1),
        (("fields",), 9, 1),
        (("fields", 0), 9, 1),
        (("fields", 0, "key"), 10, 1),
        (("fields", 0, "min_value"), 11, 1),
        (("fields", 1), 12, 1),
        (("fields", 1, 'quoted "key"'), 13, 1),
        (("fields", 1, "parts"), 14, 1),
        (("fields", 1, "parts", 1), 16, 3),
        (("fields", 1, "options", 0, "v"), 19, 1),
        (("regime", "reminders", 1, "at"), 21, 68),
        (("regime", "x", "y"), 22, 1),
        (("regime", "after"), 24, 1),
    ],
)
def test_tricky_text_keeps_every_position(path: TomlPath, line: int, column: int) -> None:
    assert _where(path) == (line, column)


def test_text_inside_strings_and_comments_is_no_key() -> None:
    found = toml_positions(TRICKY)
    assert ("form", "key") not in found and ("key",) not in found
    assert all(len(path) > 0 and path[0] in ("form", "fields", "regime") for path in found)


def test_a_key_after_others_on_its_line_says_so() -> None:
    found = toml_positions(TRICKY)
    assert found[("regime", "reminders")].first_on_line
    assert not found[("regime", "reminders", 0, "days_before")].first_on_line


def _paths(value: Any, path: TomlPath = ()) -> list[TomlPath]:
    """Every key of a parsed document (and each table of an array of tables)."""
    found: list[TomlPath] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*path, key))
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found += _paths(item, (*path, index))
    return found


REPOSITORY_TOML = sorted(
    p for p in REPO_ROOT.rglob("*.toml") if not {".venv", "build", "node_modules"} & set(p.parts)
)


@pytest.mark.parametrize("path", REPOSITORY_TOML, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_key_of_the_repositorys_toml_points_at_its_line(path: Path) -> None:
    """The texts' catalogs (long multi-line Jinja strings), the sample's forms, report.toml..."""
    source = path.read_text(encoding="utf-8-sig")
    found = toml_positions(source)
    lines = source.splitlines()
    for key in _paths(tomllib.loads(source)):
        assert key in found, f"{key} has no position"
        where: Position = found[key]
        name = key[-1]
        text = lines[where.line - 1][where.column - 1 :]
        if isinstance(name, str):  # a key, a quoted key, or the [header] that opens its table
            assert text.startswith((name, f'"{name}', f"'{name}", "[")) or "." in text, (key, text)


def _form_problems(tmp_path: Path, source: str) -> list[str]:
    folder = tmp_path / "forms"
    folder.mkdir(exist_ok=True)
    (folder / "cntt.toml").write_text(source, encoding="utf-8")
    return [str(p) for p in read_forms(folder, tmp_path).problems]


def test_a_triple_quote_in_a_comment_keeps_the_forms_lines(tmp_path: Path) -> None:
    """The issue's case: one \"\"\" in a comment lost every line after it."""
    lines = (STARTER / "forms" / "cntt.toml").read_text(encoding="utf-8").splitlines()
    lines.insert(lines.index("[form]"), '# Ghi chú: dùng """ cho đoạn văn dài')
    at = next(i for i, line in enumerate(lines) if line.startswith("type = "))
    lines[at] = 'type = "integr"'
    problems = _form_problems(tmp_path, "\n".join(lines) + "\n")
    assert len(problems) == 1
    assert problems[0].startswith(f"forms/cntt.toml:{at + 1}: "), problems


def test_crlf_and_bom_forms_name_the_same_lines(tmp_path: Path) -> None:
    source = '[form]\ncode = "cntt"\ntitle = "T"\n\n[[fields]]\nkey = "a"\nquestion = "?"\n'
    source += 'type = "integer"\nmin_valeu = 0\n'
    plain = _form_problems(tmp_path, source)
    windows = _form_problems(tmp_path, "\ufeff" + source.replace("\n", "\r\n"))
    assert plain == windows
    assert plain[0].startswith("forms/cntt.toml:9: a.min_valeu: ")


def test_a_mistake_in_an_inline_table_names_its_column(tmp_path: Path) -> None:
    source = CONFIG_EXAMPLE.read_text(encoding="utf-8")
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("{ days_before = 1"))
    lines[at] = lines[at].replace('"08:00"', '"25:00"')
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = read_settings(path)
    (problem,) = [str(p) for p in problems]
    column = lines[at].index("at =") + 1
    assert problem.startswith(f"config.toml:{at + 1}:{column}: regime.reminders[2].at: "), problem


def _report_problems(tmp_path: Path, source: str) -> list[str]:
    workspace = load_workspace(SAMPLE / "config.toml")
    path = tmp_path / "report.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(ReportSpecError) as caught:
        load_spec(path, workspace.forms, workspace.units)
    return list(caught.value.problems)


def test_report_toml_problems_name_their_lines(tmp_path: Path) -> None:
    lines = (SAMPLE / "report.toml").read_text(encoding="utf-8").splitlines()
    figure = next(i for i, line in enumerate(lines) if line.startswith("qr_diem = "))
    lines[figure] = lines[figure].replace('field = "qr_diem"', 'field = "qr_dim"')
    items = [i for i, line in enumerate(lines) if line == "[[items]]"]
    kind = next(i for i in range(items[2], len(lines)) if lines[i].startswith("kind = "))
    lines[kind] = 'kind = "paragraph"'  # dropped: the items after it keep their lines
    section = next(i for i in range(items[3], len(lines)) if lines[i].startswith("section = "))
    lines[section] = 'section = "IX.9"'
    problems = _report_problems(tmp_path, "\n".join(lines) + "\n")
    assert problems == [
        f'report.toml:{kind + 1}: kind = "paragraph" không hợp lệ; '
        "hãy ghi text, sentence, narrative hoặc tickets",
        f'report.toml:{figure + 1}: qr_diem: biểu mẫu "covid" không có câu hỏi "qr_dim"',
        f'report.toml:{items[3] + 1}: mục "IX.9" chưa được khai báo trong [[sections]]',
    ]


def test_a_report_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    problems = _report_problems(tmp_path, '[figures]\na = { form = "covid" \n')
    assert len(problems) == 1 and problems[0].startswith("report.toml:2: sai cú pháp TOML")


def test_a_report_toml_switch_that_is_not_true_or_false_is_a_problem(tmp_path: Path) -> None:
    # bool("no") is True: a typo must not turn the charts on; it is named at its line.
    lines = (SAMPLE / "report.toml").read_text(encoding="utf-8").splitlines()
    figure = next(i for i, line in enumerate(lines) if line.startswith("vb_di = "))
    lines[figure] = lines[figure].replace("chart = true", 'chart = "yes"')
    problems = _report_problems(tmp_path, 'charts = "no"\n' + "\n".join(lines) + "\n")
    assert problems == [
        f'report.toml:{figure + 2}: chart = "yes" không hợp lệ; hãy ghi true hoặc false',
        'report.toml:1: charts = "no" không hợp lệ; hãy ghi true hoặc false',
    ]
