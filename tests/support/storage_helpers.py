"""Helpers shared by the storage tests (a module of its own: `conftest` is ambiguous)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.periods import Period
from domain.units import Unit

START = datetime(2024, 5, 10, 1, 0, tzinfo=UTC)
PERIOD = Period(2024, 5)

UNITS = [
    Unit("UBND_A", "UBND xã A", "Xã", ("BC01", "BC02"), order=2, aliases=("xa a",)),
    Unit("UBND_B", "UBND xã B", "Xã", ("BC01",), order=1),
]


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        """Move the clock forward; return the new time."""
        self.now += timedelta(**kwargs)
        return self.now


def sha256(path: Path) -> str:
    """The digest of a file's bytes, to prove it was left byte-identical."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
