"""Plausibility: a figure far outside the unit's own history is questioned once.

By default a value more than 10 times, or less than a tenth of, the unit's previous non-zero
value of the same field is questioned, unless both are small (at or below the field's floor,
20 by default: 1 then 12 is ordinary for a small count); a field may set its own ratio (0:
never questioned), its own floor (0: none) and a `max` above which a value is questioned
whatever the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.forms import Field


@dataclass(frozen=True, slots=True)
class Implausible:
    """A value to question: `times` more (or less, when `less`) than `previous`, or over
    the field's plausible `max` (then `previous` may be None)."""

    field_key: str
    value: Decimal
    previous: Decimal | None
    times: Decimal | None = None
    less: bool = False
    max: Decimal | None = None


def check_plausible(field: Field, value: Decimal, previous: Decimal | None) -> Implausible | None:
    """Whether `value` is far from `previous` (the unit's last non-zero value) or over the
    field's plausible max; None when it looks ordinary."""
    if field.plausible_max is not None and value > field.plausible_max:
        return Implausible(field.key, value, previous, max=field.plausible_max)
    ratio = field.plausible_ratio
    if not ratio or previous is None or previous <= 0 or value < 0:
        return None
    if value <= field.plausible_floor and previous <= field.plausible_floor:
        return None  # small counts vary by more than tenfold without anything wrong
    if value > previous * ratio:
        return Implausible(field.key, value, previous, _whole(value / previous))
    if value * ratio < previous:
        times = None if value == 0 else _whole(previous / value)
        return Implausible(field.key, value, previous, times, less=True)
    return None


def _whole(number: Decimal) -> Decimal:
    return number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
