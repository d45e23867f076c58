"""Adding the months of a longer period up, field by field, as each field declares.

A flow is summed, a stock or a month-end level keeps its last value, a percentage with a
numerator and a denominator is recomputed from them (never averaged, never summed). A unit
that did not answer one of the months has no value for any field that needs every month:
the report shows a placeholder naming the unit and the months, never a partial sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.forms import Aggregation, Field, FieldKind, FieldType, Form
from domain.numbers import format_number
from domain.periods import Period
from domain.report_figures import PeriodAnswers
from domain.values import TypedValue

# What needs every month of the period answered to be known.
_NEEDS_EVERY_MONTH = frozenset(
    {Aggregation.SUM, Aggregation.MAX, Aggregation.AVERAGE, Aggregation.NONE}
)


def aggregation_of(field: Field) -> tuple[Aggregation, bool]:
    """How a numeric field adds up, and whether that was guessed rather than declared or
    implied by the form (a stock keeps its last value; a count is summed)."""
    if field.type is FieldType.PERCENT:
        if field.ratio_of:
            return Aggregation.RATIO, False
        if field.aggregate is not None:
            return field.aggregate, False
        # A typed percentage cannot be added up: shown month by month, unit by unit.
        return Aggregation.NONE, True
    if field.aggregate is not None:
        return field.aggregate, False
    if field.kind is FieldKind.STOCK or field.stock_of:
        return Aggregation.LAST, False
    # A count adds up; a decimal might be an average (a price, a rate): say it was guessed.
    return Aggregation.SUM, field.type is not FieldType.INTEGER


@dataclass(frozen=True, slots=True)
class Aggregated:
    """A longer period's answers added up, and the months each unit did not answer."""

    answers: PeriodAnswers
    # unit code -> the months it left unanswered (any form it owes), oldest first
    missing_months: Mapping[str, tuple[Period, ...]]


def _listed(field: Field, values: Sequence[TypedValue], months: Sequence[Period]) -> str:
    """Values month by month: '01/2025: 99,5%; 02/2025: 100%'."""
    sign = "%" if field.type is FieldType.PERCENT else ""
    return "; ".join(
        f"{month.label}: {format_number(value) if isinstance(value, Decimal) else value}{sign}"
        for month, value in zip(months, values, strict=True)
    )


def _combine(
    field: Field, values: list[TypedValue | None], months: Sequence[Period]
) -> TypedValue | None:
    """One unit's value of a field over the months; None when it cannot be known."""
    if not field.type.is_numeric:
        if field.type is FieldType.TEXT:
            if field.required and any(v is None for v in values):
                return None
            texts = [str(v) for v in values if v]
            return "\n".join(texts) if texts else None
        return values[-1]  # a choice or a date: as it stands at the end
    how = aggregation_of(field)[0]
    if how in _NEEDS_EVERY_MONTH and any(v is None for v in values):
        return None
    numbers = [v for v in values if isinstance(v, Decimal)]
    if how is Aggregation.SUM:
        return sum(numbers, Decimal(0))
    if how is Aggregation.MAX:
        return max(numbers) if numbers else None
    if how is Aggregation.AVERAGE:
        return sum(numbers, Decimal(0)) / len(numbers) if numbers else None
    if how is Aggregation.NONE:
        return _listed(field, [v for v in values if v is not None], months)
    return values[-1]  # LAST (RATIO is recomputed once its terms are known)


def _ratio(field: Field, values: Mapping[str, TypedValue]) -> Decimal | None:
    assert field.ratio_of is not None
    part, whole = (values.get(key) for key in field.ratio_of)
    if not isinstance(part, Decimal) or not isinstance(whole, Decimal) or whole == 0:
        return None
    return part / whole * 100


def aggregate_unit(
    form: Form, months: Sequence[Period], per_month: Sequence[Mapping[str, TypedValue]]
) -> dict[str, TypedValue]:
    """One unit's answers to one form over the months (empty mappings where it did not
    answer), added up field by field; fields that cannot be known are left out."""
    out: dict[str, TypedValue] = {}
    ratios = []
    for field in form.fields:
        if field.ratio_of:
            ratios.append(field)
            continue
        value = _combine(field, [given.get(field.key) for given in per_month], months)
        if value is not None:
            out[field.key] = value
    for field in ratios:
        if all(given for given in per_month) and (value := _ratio(field, out)) is not None:
            out[field.key] = value
    return out


def aggregate_answers(
    period: Period,
    monthly: Sequence[PeriodAnswers],
    forms: Mapping[str, Form],
    owing: Mapping[str, Iterable[str]],
) -> Aggregated:
    """The answers of `period` from its months' answers (oldest first); `owing` gives,
    for each form, the units that owe it in the period."""
    months = [answers.period for answers in monthly]
    values: dict[str, dict[str, dict[str, TypedValue]]] = {}
    missing: dict[str, set[Period]] = {}
    for code, form in forms.items():
        by_month = [answers.values.get(code, {}) for answers in monthly]
        units = dict.fromkeys(owing.get(code, ()))
        for given in by_month:
            units.update(dict.fromkeys(given))
        filed: dict[str, dict[str, TypedValue]] = {}
        for unit in units:
            per_month = [given.get(unit) or {} for given in by_month]
            absent = [month for month, got in zip(months, per_month, strict=True) if not got]
            if absent:
                missing.setdefault(unit, set()).update(absent)
            if len(absent) < len(months):
                filed[unit] = aggregate_unit(form, months, per_month)
        values[code] = filed
    return Aggregated(
        PeriodAnswers(period, values),
        {unit: tuple(sorted(gone)) for unit, gone in missing.items()},
    )
