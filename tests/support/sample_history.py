"""A third month for the sample data set (its January filed as December 2021), so that the
key figures' trend charts have the 3 periods they need."""

from __future__ import annotations

import re
from pathlib import Path

from bot.workspace.answers_file import load_answers, read_answers_file
from bot.workspace.load import Workspace
from storage import Database


async def add_december(db: Database, workspace: Workspace, sample_dir: Path) -> None:
    """Load January 2022's answers of the sample (in `sample_dir`) again as December 2021's."""
    january = (sample_dir / "answers" / "2022-01.toml").read_text("utf-8")
    december = re.sub(r'period = "2022-01"', 'period = "2021-12"', january)
    december = december.replace("2022-01-", "2021-12-")
    path = sample_dir / "answers" / "2021-12.toml"
    path.write_text(december, "utf-8")
    await load_answers(db, workspace, read_answers_file(path))
