"""The wheel carries what an installed baocao needs (the sample data set of `baocao demo`, the
starter, templates, migrations) and leaves the developer's scripts out. CI (.ci/run) also
installs it into a fresh venv and runs the demo, init and check from it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.demo.simulation import sample_folder
from tests.support.paths import REPO_ROOT


def test_the_demo_finds_its_sample_inside_the_package() -> None:
    folder = sample_folder()
    assert folder.is_relative_to(REPO_ROOT / "bot" / "demo")
    assert (folder / "config.toml").is_file()
    assert (folder / "answers" / "2022-02.toml").is_file()


@pytest.mark.slow
def test_the_wheel_ships_the_sample_and_not_the_dev_scripts(tmp_path: Path) -> None:
    build = REPO_ROOT / "build"
    had_build = build.exists()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), "."],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    if not had_build:  # setuptools' scratch folder, left in the checkout
        shutil.rmtree(build, ignore_errors=True)
    (wheel,) = tmp_path.glob("baocao_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sample = {
        f"bot/demo/sample-travinh/{p.relative_to(sample_folder()).as_posix()}"
        for p in sample_folder().rglob("*")
        if p.is_file()
    }
    assert sample <= names
    for needed in (
        "bot/workspace/starter/config.toml",
        "templates/report/report.docx",
        "templates/texts/chat.toml",
        "storage/migrations/0001_initial.sql",
    ):
        assert needed in names
    assert not [n for n in names if n.startswith("templates/report/") and n.endswith(".py")]
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
