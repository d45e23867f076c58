"""The tests' fake clock keeps the `bot.runtime.clock.Clock` contract and moves only by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.clock import START, FakeClock


def test_it_stands_still_until_moved_and_gives_aware_times() -> None:
    clock = FakeClock()
    assert clock() == START == clock()
    assert clock().tzinfo is not None
    assert clock.advance(days=1, hours=2) == START + timedelta(days=1, hours=2) == clock()
    clock.now = START
    assert clock() == START


def test_a_naive_start_and_a_step_back_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FakeClock(datetime(2022, 2, 11, 2, 0))  # naive: the mistake under test
    with pytest.raises(ValueError, match="forward"):
        FakeClock().advance(seconds=-1)


def test_monotonic_moves_with_advance_exactly() -> None:
    clock = FakeClock(datetime(2024, 5, 10, tzinfo=UTC))
    before = clock.monotonic()
    assert before > 0  # as time.monotonic: far from the zero code may take for "never"
    for _ in range(30):
        clock.advance(seconds=1 / 30)
    clock.advance(minutes=1, milliseconds=500)
    assert clock.monotonic() - before == pytest.approx(61.5, abs=1e-9)
    clock.now = START  # a wall-clock jump does not move the monotonic clock
    assert clock.monotonic() - before == pytest.approx(61.5, abs=1e-9)
