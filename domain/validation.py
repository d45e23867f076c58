"""Consistency of a set of answers: parts that must add up, stocks that must carry over.

Each problem is a value naming the fields and numbers involved, so the chat and the report
can cite them ("472 + 1.914 = 2.386, nhưng tổng là 2.361").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.forms import Form


class InconsistencyKind(StrEnum):
    """Which relation is broken."""

    PARTS = "parts"  # a total is not the sum of its parts
    PARTS_OVER = "parts_over"  # the parts known so far already exceed their total
    STOCK = "stock"  # a stock is not last period's stock plus the period's flow
    STOCK_BELOW_FLOW = "stock_below_flow"  # a stock smaller than the period's own flow
    BOUND = "bound"  # a figure exceeds the one it is part of ("of which" more than the whole)


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """A broken relation: `field_key` should be `expected` (from `terms`) but is `actual`.

    For PARTS_OVER, `expected` is the sum of the parts known so far (`terms`): the least the
    total can be.
    """

    kind: InconsistencyKind
    field_key: str
    expected: Decimal
    actual: Decimal
    terms: tuple[tuple[str, Decimal], ...]

    @property
    def difference(self) -> Decimal:
        """actual minus expected."""
        return self.actual - self.expected

    @property
    def involved(self) -> tuple[str, ...]:
        """Every field key the problem concerns, the checked field first."""
        return (self.field_key, *(key for key, _ in self.terms))


# For a stock relation the previous stock appears in `terms` under this pseudo-key.
PREVIOUS_STOCK = "__previous__"


def check_parts(form: Form, values: Mapping[str, Decimal]) -> list[Inconsistency]:
    """Totals whose parts are all known and do not add up, and totals that the parts known
    so far already exceed (PARTS_OVER, when the parts still missing cannot be negative)."""
    problems = []
    for field in form.fields:
        if not field.parts or field.key not in values:
            continue
        if any(part not in values for part in field.parts):
            if over := _parts_over(form, field.key, field.parts, values):
                problems.append(over)
            continue
        terms = tuple((part, values[part]) for part in field.parts)
        expected = sum((value for _, value in terms), Decimal(0))
        if expected != values[field.key]:
            problems.append(
                Inconsistency(
                    InconsistencyKind.PARTS, field.key, expected, values[field.key], terms
                )
            )
    return problems


def _parts_over(
    form: Form, total_key: str, parts: tuple[str, ...], values: Mapping[str, Decimal]
) -> Inconsistency | None:
    """The parts answered so far summing to more than their total: a typo such as 1.234 for
    12 is known at once, not only after the last part (nor never, if that part is skipped)."""
    missing = [part for part in parts if part not in values]
    if not all(_never_negative(form, part) for part in missing):
        return None  # a negative part still to come could bring the sum back down
    terms = tuple((part, values[part]) for part in parts if part in values)
    known = sum((value for _, value in terms), Decimal(0))
    if not terms or known <= values[total_key]:
        return None
    return Inconsistency(InconsistencyKind.PARTS_OVER, total_key, known, values[total_key], terms)


def _never_negative(form: Form, key: str) -> bool:
    minimum = form.field(key).min
    return minimum is not None and minimum >= 0


def check_stocks(
    form: Form, values: Mapping[str, Decimal], previous: Mapping[str, Decimal]
) -> list[Inconsistency]:
    """Stocks that are not last period's stock plus this period's flow.

    When last period's stock is unknown (the first period, or a unit that did not report)
    a stock can still not be less than the period's flow it includes (STOCK_BELOW_FLOW,
    `expected` being that flow, the least the stock can be).
    """
    problems = []
    for field in form.fields:
        flow_key = field.stock_of
        if flow_key is None or field.key not in values or flow_key not in values:
            continue
        if field.key not in previous:
            if values[field.key] < values[flow_key]:
                problems.append(
                    Inconsistency(
                        InconsistencyKind.STOCK_BELOW_FLOW,
                        field.key,
                        values[flow_key],
                        values[field.key],
                        ((flow_key, values[flow_key]),),
                    )
                )
            continue
        terms = ((PREVIOUS_STOCK, previous[field.key]), (flow_key, values[flow_key]))
        expected = previous[field.key] + values[flow_key]
        if expected != values[field.key]:
            problems.append(
                Inconsistency(
                    InconsistencyKind.STOCK, field.key, expected, values[field.key], terms
                )
            )
    return problems


def check_bounds(form: Form, values: Mapping[str, Decimal]) -> list[Inconsistency]:
    """Figures larger than the field they may not exceed (`at_most`), both being known.

    `expected` is the bound (the most the figure may be); `terms` names the bounding field.
    """
    problems = []
    for field in form.fields:
        bound_key = field.at_most
        if bound_key is None or field.key not in values or bound_key not in values:
            continue
        if values[field.key] > values[bound_key]:
            problems.append(
                Inconsistency(
                    InconsistencyKind.BOUND,
                    field.key,
                    values[bound_key],
                    values[field.key],
                    ((bound_key, values[bound_key]),),
                )
            )
    return problems


def related_fields(form: Form) -> frozenset[str]:
    """The fields `check_consistency` reads (often none): a report of thousands of units
    checks only those. Keep it in step with the checks above."""
    keys: set[str] = set()
    for field in form.fields:
        if field.parts:
            keys.update((field.key, *field.parts))
        for other in (field.stock_of, field.at_most):
            if other is not None:
                keys.update((field.key, other))
    return frozenset(keys)


def check_consistency(
    form: Form, values: Mapping[str, Decimal], previous: Mapping[str, Decimal]
) -> list[Inconsistency]:
    """Every broken relation of a form's answers, in field order."""
    bounds = check_bounds(form, values)
    # A part over its total that is also bounded by it (at_most) is one mistake: its BOUND
    # says it; the PARTS_OVER it causes would say it again.
    bounded = {(p.field_key, p.terms[0][0]) for p in bounds}
    problems = [
        p
        for p in check_parts(form, values)
        if p.kind is not InconsistencyKind.PARTS_OVER
        or not any((part, p.field_key) in bounded for part, _ in p.terms)
    ]
    problems += check_stocks(form, values, previous) + bounds
    # The form's own index: a dict of its fields built here, per unit, cost the overview
    # of thousands of units more than the checks.
    return sorted(problems, key=lambda p: (form.position(p.field_key), p.kind))


def missing_required(form: Form, answered: Mapping[str, object]) -> list[str]:
    """Keys of required fields that have no answer yet, in field order."""
    return [f.key for f in form.fields if f.required and answered.get(f.key) is None]
