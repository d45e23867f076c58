"""Adding the months of a longer period up, field by field, as each field declares.

A flow is summed, a stock or a month-end level keeps its last value, a percentage with a
numerator and a denominator is recomputed from them (never averaged, never summed). A unit
that did not answer one of the months has no value for any field that needs every month:
the report shows a placeholder naming the unit and the months, never a partial sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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


def _ratio(field: Field, values: Mapping[str, TypedValue]) -> Decimal | None:
    assert field.ratio_of is not None
    part, whole = (values.get(key) for key in field.ratio_of)
    if not isinstance(part, Decimal) or not isinstance(whole, Decimal) or whole == 0:
        return None
    return part / whole * 100


def aggregate_answers(
    period: Period,
    monthly: Sequence[PeriodAnswers],
    forms: Mapping[str, Form],
    owing: Mapping[str, Iterable[str]],
) -> Aggregated:
    """The answers of `period` from its months' answers (oldest first); `owing` gives,
    for each form, the units that owe it in the period."""
    fold = MonthFold(period, forms, owing, [answers.period for answers in monthly])
    for answers in monthly:
        for code, by_unit in answers.values.items():
            for unit, given in by_unit.items():
                fold.add(answers.period, code, unit, given)
    return fold.result()


@dataclass(slots=True)
class _UnitFold:
    """One unit's running state for one form: the months it answered, and per field the
    running value, how many months gave one, and the last month that did."""

    months: int = 0  # bit i: month i answered
    values: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)


class MonthFold:
    """A longer period's answers added up month by month, as storage hands them over, so
    that a year of a big office is never held in memory at once. Feed `add` the months in
    order (oldest first), then take `result()`."""

    def __init__(
        self,
        period: Period,
        forms: Mapping[str, Form],
        owing: Mapping[str, Iterable[str]],
        months: Sequence[Period],
    ) -> None:
        self._period, self._forms, self._owing = period, forms, owing
        # form code -> the months it is asked in (a quarterly form: each quarter's last)
        self._months = {
            code: [m for m in months if form.due_in(m.month)] for code, form in forms.items()
        }
        self._index = {
            code: {month: i for i, month in enumerate(due)} for code, due in self._months.items()
        }
        # form code -> [(key, aggregation or None for texts and choices, field)]
        self._plans = {
            code: [
                (f.key, aggregation_of(f)[0] if f.type.is_numeric else None, f)
                for f in form.fields
                if not f.ratio_of
            ]
            for code, form in forms.items()
        }
        self._folds: dict[str, dict[str, _UnitFold]] = {code: {} for code in forms}

    def add(
        self, month: Period, form_code: str, unit_code: str, given: Mapping[str, TypedValue]
    ) -> None:
        """One unit's typed answers to one form in one month of the period."""
        plan = self._plans.get(form_code)
        i = self._index.get(form_code, {}).get(month)
        if plan is None or i is None or not given:
            return
        fold = self._folds[form_code].get(unit_code)
        if fold is None:
            fold = self._folds[form_code][unit_code] = _UnitFold()
        fold.months |= 1 << i
        values, counts, last = fold.values, fold.counts, fold.last
        for key, how, spec in plan:
            value = given.get(key)
            if value is None:
                continue
            counts[key] = counts.get(key, 0) + 1
            last[key] = i
            if how is Aggregation.SUM or how is Aggregation.AVERAGE:
                values[key] = values.get(key, 0) + value
            elif how is Aggregation.MAX:
                before = values.get(key)
                values[key] = value if before is None or value > before else before
            elif how is Aggregation.NONE or (how is None and spec.type is FieldType.TEXT):
                values.setdefault(key, []).append((month, value))
            else:  # LAST, a choice or a date: as it stands at the end
                values[key] = value

    def _unit_values(self, form: Form, fold: _UnitFold) -> dict[str, TypedValue]:
        n = len(self._months[form.code])
        out: dict[str, TypedValue] = {}
        for key, how, spec in self._plans[form.code]:
            count = fold.counts.get(key, 0)
            if not count:
                continue
            value = fold.values[key]
            if how is None:
                if spec.type is FieldType.TEXT:
                    if spec.required and count < n:
                        continue
                    # A line repeated month after month is said once.
                    lines = (line for _, v in value for line in str(v).splitlines())
                    value = "\n".join(dict.fromkeys(line for line in lines if line.strip()))
                elif fold.last[key] != n - 1:
                    continue
                out[key] = value
            elif how is Aggregation.LAST:
                if fold.last[key] == n - 1:
                    out[key] = value
            elif count == n:
                if how is Aggregation.AVERAGE:
                    value = value / n
                elif how is Aggregation.NONE:
                    months = [m for m, _ in value]
                    value = _listed(spec, [v for _, v in value], months)
                out[key] = value
        if fold.months == (1 << n) - 1:
            for spec in form.fields:
                if spec.ratio_of and (ratio := _ratio(spec, out)) is not None:
                    out[spec.key] = ratio
        return out

    def result(self) -> Aggregated:
        """The period's answers and the months each unit left out."""
        values: dict[str, dict[str, dict[str, TypedValue]]] = {}
        missing: dict[str, set[Period]] = {}
        for code, form in self._forms.items():
            folds, due = self._folds[code], self._months[code]
            n = len(due)
            for unit in dict.fromkeys([*self._owing.get(code, ()), *folds]):
                fold = folds.get(unit)
                answered = fold.months if fold else 0
                if answered != (1 << n) - 1:
                    gone = [m for i, m in enumerate(due) if not answered >> i & 1]
                    missing.setdefault(unit, set()).update(gone)
            values[code] = {unit: self._unit_values(form, fold) for unit, fold in folds.items()}
        return Aggregated(
            PeriodAnswers(self._period, values),
            {unit: tuple(sorted(gone)) for unit, gone in missing.items()},
        )
