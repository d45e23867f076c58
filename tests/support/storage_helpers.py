"""Data shared by the storage tests: their moment (period 2024-05), two units, a file digest."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from domain.periods import Period
from domain.units import Unit

START = datetime(2024, 5, 10, 1, 0, tzinfo=UTC)
PERIOD = Period(2024, 5)

UNITS = [
    Unit("UBND_A", "UBND xã A", "Xã", ("BC01", "BC02"), order=2, aliases=("xa a",)),
    Unit("UBND_B", "UBND xã B", "Xã", ("BC01",), order=1),
]


def sha256(path: Path) -> str:
    """The digest of a file's bytes, to prove it was left byte-identical."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
