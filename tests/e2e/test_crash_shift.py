"""A hurried person answers every question message, a duplicate too: after a SIGKILL right
after the 250th acknowledgement, no figure lands under another question (tests/e2e/hurried.py;
bench/crash_shift.py runs it several times and prints the figures)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.hurried import crash_run


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_answers_stay_on_their_question_across_a_kill(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    """50 people x 10 questions, kill -9 after the 250th acknowledgement, restart 1 s later:
    nothing acknowledged is lost, no value is stored under another question, no report is
    submitted with a shifted value. BAOCAO_CRASH_SEED=N replays a run."""
    seed = int(os.environ.get("BAOCAO_CRASH_SEED") or random.randrange(1 << 30))
    outcome = await crash_run(tmp_path, seed)
    figures(f"crash shift (seed {seed}) " + outcome.line(1))
    assert outcome.acknowledged >= 250
    assert outcome.submitted == outcome.people
    assert outcome.lost == 0
    assert outcome.misplaced == 0
    assert outcome.shifted_reports == 0
