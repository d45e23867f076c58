"""Changes of a percentage the draft recomputes from the units' figures that differ, by
rounding, from the change of the percentages the units typed (the way last month's report
was written: 37,14% - 36,54% = 0,60%, while the figures give 37,13% - 36,54% = 0,59%)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import percent_points
from domain.periods import Period
from domain.report import DerivedKind, ReportSpec
from domain.report_figures import FigureBook


@dataclass(frozen=True, slots=True)
class RecomputedChange:
    """A change of a percentage: as the draft prints it, and as the typed percentages give."""

    name: str
    label: str
    computed: Decimal  # in points, as printed
    from_stated: Decimal  # in points: this period's typed percentage minus last period's
    places: int


def recomputed_changes(
    spec: ReportSpec, book: FigureBook, period: Period
) -> list[RecomputedChange]:
    """Every change of a ratio with a stated percentage where the two ways differ."""
    found: list[RecomputedChange] = []
    for derived in spec.derived.values():
        if derived.kind is not DerivedKind.CHANGE or not derived.of:
            continue
        base = spec.derived.get(derived.of[0])
        if base is None or base.kind is not DerivedKind.RATIO or not base.stated:
            continue
        computed = book.get(derived.name, period).number
        now = book.get(base.stated, period).number
        before = book.get(base.stated, period.previous()).number
        if computed is None or now is None or before is None:
            continue
        # The typed figures are percentages already ("37,14"): points as printed.
        stated = percent_points(now / 100, derived.places) - percent_points(
            before / 100, derived.places
        )
        if stated != computed:
            label = derived.label or derived.name
            found.append(RecomputedChange(derived.name, label, computed, stated, derived.places))
    return found
