"""A value far outside the unit's own history is questioned, not refused."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.forms import Field, FieldKind, FieldType
from domain.plausibility import Implausible, check_plausible

COUNT = Field("so", "Số?", FieldType.INTEGER, FieldKind.FLOW)


@pytest.mark.parametrize(
    ("value", "previous", "expected"),
    [
        (D(370), D(10), Implausible("so", D(370), D(10), D(37))),
        (D(101), D(10), Implausible("so", D(101), D(10), D(10))),
        (D(100), D(10), None),  # exactly 10 times: ordinary
        (D(9), D(100), Implausible("so", D(9), D(100), D(11), less=True)),
        (D(0), D(100), Implausible("so", D(0), D(100), None, less=True)),
        (D(10), D(100), None),
        (D(5000), None, None),  # no history: nothing to compare with
    ],
)
def test_ten_times_more_or_less_than_last_time_is_questioned(
    value: D, previous: D | None, expected: Implausible | None
) -> None:
    assert check_plausible(COUNT, value, previous) == expected


def test_a_field_sets_its_own_ratio_and_max() -> None:
    loose = Field("so", "Số?", FieldType.INTEGER, FieldKind.FLOW, plausible_ratio=D(0))
    assert check_plausible(loose, D(1000), D(1)) is None
    capped = Field("so", "Số?", FieldType.INTEGER, FieldKind.FLOW, plausible_max=D(500))
    assert check_plausible(capped, D(501), None) == Implausible("so", D(501), None, max=D(500))


@pytest.mark.parametrize(
    ("value", "previous", "questioned"),
    [
        (D(12), D(1), False),  # a small count: 1 then 12 is ordinary
        (D(20), D(2), False),  # both at the floor or below
        (D(1), D(20), False),
        (D(21), D(2), True),  # one of them above the floor: the ratio decides
        (D(120), D(12), False),  # exactly 10 times
        (D(121), D(12), True),
        (D(0), D(25), True),
    ],
)
def test_small_counts_on_both_sides_of_the_floor_are_not_questioned(
    value: D, previous: D, questioned: bool
) -> None:
    assert (check_plausible(COUNT, value, previous) is not None) is questioned


def test_a_field_sets_its_own_floor() -> None:
    no_floor = Field("so", "Số?", FieldType.INTEGER, FieldKind.FLOW, plausible_floor=D(0))
    assert check_plausible(no_floor, D(12), D(1)) == Implausible("so", D(12), D(1), D(12))
    high = Field("so", "Số?", FieldType.INTEGER, FieldKind.FLOW, plausible_floor=D(500))
    assert check_plausible(high, D(400), D(4)) is None
    assert check_plausible(high, D(600), D(4)) is not None
