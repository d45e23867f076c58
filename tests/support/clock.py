"""The tests' one fake clock: time stands still until the test moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# 09:00 on 11/02/2022 in Vietnam: period 02/2022 opened on the 10th, deadline the 15th 17:00.
START = datetime(2022, 2, 11, 2, 0, tzinfo=UTC)

# What one unit of each `timedelta` keyword is in seconds, to move `monotonic` exactly.
_SECONDS = {
    "weeks": 604800.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
    "milliseconds": 1e-3,
    "microseconds": 1e-6,
}


class FakeClock:
    """A `bot.runtime.clock.Clock` moved by hand, with a `time.monotonic` of its own.

    Call it for the (timezone-aware) time; set `now` to jump, `advance` to move forward.
    """

    def __init__(self, now: datetime = START) -> None:
        if now.utcoffset() is None:
            raise ValueError("a Clock gives timezone-aware times")
        self.now = now
        # Far from zero, as a real monotonic clock is: code may take 0.0 for "never".
        self._seconds = 1000.0

    def __call__(self) -> datetime:
        """The time now."""
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by `timedelta(**delta)`; return the new time."""
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("advance only moves forward; set `now` to go back")
        self.now += step
        # Summed as floats, not through `timedelta`: a rate limiter's 1/30 s must not be
        # rounded to whole microseconds.
        self._seconds += sum(value * _SECONDS[unit] for unit, value in delta.items())
        return self.now

    def monotonic(self) -> float:
        """Seconds on a monotonic clock (for `time.monotonic`); only `advance` moves it."""
        return self._seconds
