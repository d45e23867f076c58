"""Every baocao command runs with the cyclic collector's full passes ten times rarer than
Python's default (its young passes unchanged): a year's draft spent a sixth of its time in
them."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.cli.main import main
from bot.runtime.collector import FULL_PASS_EVERY


@pytest.fixture
def default_thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_a_command_makes_full_passes_rarer_and_leaves_young_ones_alone(
    default_thresholds: tuple[int, int, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--help"]) == 0
    assert "baocao" in capsys.readouterr().out
    young, middle, _ = default_thresholds
    assert gc.get_threshold() == (young, middle, FULL_PASS_EVERY) and FULL_PASS_EVERY > 10
    assert gc.isenabled()
