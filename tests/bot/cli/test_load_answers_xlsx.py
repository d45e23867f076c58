"""`baocao load-answers` takes a workbook in the export's layout: what one office exported,
another loads, and its export then holds the same figures."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from bot.cli.main import main
from bot.workspace.answers_xlsx import typed_text
from tests.support.sample_data import SAMPLE


def _office(folder: Path) -> Path:
    """A copy of the sample office, with no database yet."""
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.sqlite3*", "answers"))
    return folder / "config.toml"


def _form_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """The export's sheets of forms (those headed by «Mã đơn vị» and a state column)."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if rows and rows[0][0] == "Mã đơn vị" and rows[0][2] == "Trạng thái":
            sheets[sheet.title] = rows
    book.close()
    return sheets


def test_an_exported_table_loads_into_another_office_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _office(tmp_path / "first")
    answers = str(SAMPLE / "answers" / "2022-02.toml")
    assert main(["load-answers", "--config", str(first), answers]) == 0
    exported = tmp_path / "BC-STTTT-VP_2022-02.xlsx"
    args = ["--period", "2022-02", "--out", str(exported)]
    assert main(["export", "--config", str(first), *args]) == 0
    assert exported.is_file()
    second = _office(tmp_path / "second")
    capsys.readouterr()
    assert main(["load-answers", "--config", str(second), str(exported)]) == 0
    assert "Kỳ 02/2022: đã ghi " in capsys.readouterr().out
    again = tmp_path / "again.xlsx"
    assert (
        main(["export", "--config", str(second), "--period", "2022-02", "--out", str(again)]) == 0
    )
    before, after = _form_sheets(exported), _form_sheets(again)
    assert before and before.keys() == after.keys()
    # Submission times are Excel dates (the office sorts and filters them).
    times = [row[3] for rows in before.values() for row in rows[1:] if row[2] == "đã nộp"]
    assert times and all(isinstance(t, datetime) for t in times)
    for title, rows in before.items():
        # Values, states and submission times; not who typed them (the export file did).
        assert after[title] == rows, title


def test_a_table_without_a_period_in_its_name_needs_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _office(tmp_path / "office")
    table = tmp_path / "bang-so-lieu.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã đơn vị", "Số văn bản đi"])
    book.save(table)
    capsys.readouterr()
    assert main(["load-answers", "--config", str(config), str(table)]) == 1
    assert "hãy ghi --period YYYY-MM" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cell", "typed"),
    [(0.75, "0,75"), (1924862, "1924862"), (12.0, "12"), ("  Có ", "Có"), (None, "")],
)
def test_cells_become_what_a_person_types(cell: object, typed: str) -> None:
    assert typed_text(cell) == typed
