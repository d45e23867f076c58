"""The Trà Vinh sample data set, loaded into a fresh database for each test that asks."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.workspace.answers_file import load_answers, read_answers_file
from bot.workspace.load import Workspace, load_workspace
from storage import Database
from tests.support.sample_data import SAMPLE


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    """A copy of the sample data set (its database goes into the copy)."""
    target = tmp_path / "sample"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("*.sqlite3*"))
    return target


@pytest.fixture
def sample_workspace(sample_dir: Path) -> Workspace:
    """The sample's config, units and forms."""
    return load_workspace(sample_dir / "config.toml")


@pytest.fixture
async def sample_db(sample_workspace: Workspace, sample_dir: Path) -> AsyncIterator[Database]:
    """A database holding the sample's January and February 2022 answers."""
    db = await Database.open(sample_dir / "test.sqlite3", synchronous="OFF")
    for name in ("2022-01.toml", "2022-02.toml"):
        await load_answers(db, sample_workspace, read_answers_file(sample_dir / "answers" / name))
    yield db
    await db.close()
