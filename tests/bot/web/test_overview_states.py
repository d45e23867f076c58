"""The overview's states: the groups of /trangthai's `progress`, and late past the deadline."""

from __future__ import annotations

import pytest

from bot.web.overview import unit_state
from handlers.office import UnitProgress


@pytest.mark.parametrize(
    ("group", "late", "overdue", "state"),
    [
        ("not_started", False, False, "not_started"),
        ("in_progress", False, False, "answering"),
        ("not_started", False, True, "late"),
        ("in_progress", False, True, "late"),
        ("submitted", False, True, "submitted"),
        ("submitted", True, True, "submitted_late"),
    ],
)
def test_state_of_a_unit(group: str, late: bool, overdue: bool, state: str) -> None:
    unit = UnitProgress("SYT", "Sở Y tế", 1, 2, late=late)
    assert unit_state(group, unit, overdue) == state
