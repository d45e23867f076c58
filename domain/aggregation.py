"""Adding the months of a longer period up, field by field, as each field declares.

A flow is summed, a stock or a month-end level keeps its last value, a percentage with a
numerator and a denominator is recomputed from them (never averaged, never summed). A unit
that did not answer one of the months has no value for any field that needs every month:
the report shows a placeholder naming the unit and the months, never a partial sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import add
from typing import Any

from domain.forms import Aggregation, Field, FieldKind, FieldType, Form
from domain.numbers import format_number
from domain.periods import Period
from domain.report_figures import PeriodAnswers
from domain.values import TypedValue, decoder, form_decoder, taker

# What needs every month of the period answered to be known.
_NEEDS_EVERY_MONTH = frozenset(
    {Aggregation.SUM, Aggregation.MAX, Aggregation.AVERAGE, Aggregation.NONE}
)
# Whole numbers summed as ints: each below 25 digits, twelve of them stay below the 28
# digits within which Decimal sums are exact, so the two sums are the same number.
_INT_BOUND = 10**25


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


def _in_order(month: Period) -> tuple[int, int]:
    """A month's place in time, compared in C (a year's missing months of 5,000 units)."""
    return (month.year, month.month)


def _small(whole: list[int]) -> bool:
    """Whether these whole numbers may be summed as ints (see _INT_BOUND)."""
    return not whole or (min(whole) > -_INT_BOUND and max(whole) < _INT_BOUND)


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


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one form's fields fold, grouped so that `add` handles a month's answers a group
    at a time: summed (SUM, AVERAGE) and MAX fields as lists of running values; LAST,
    choices and dates from the last month only; NONE and texts listed month by month."""

    code: str
    order: tuple[tuple[str, Aggregation | None, Field], ...]  # every field, in form order
    # Whole-number fields first: from stored text they are summed as ints (see add_stored).
    summed: tuple[str, ...]
    take_summed: Callable[[Mapping[str, Any]], Sequence[Any]]
    take_whole: Callable[[Mapping[str, Any]], Sequence[Any]]
    take_decimal: Callable[[Mapping[str, Any]], Sequence[Any]]
    highest: tuple[str, ...]
    final: tuple[str, ...]
    listed: tuple[str, ...]
    # The summed and MAX fields: known only if answered every month.
    counted: frozenset[str]
    ratios: tuple[Field, ...]
    decoders: Mapping[str, Callable[[str], TypedValue]]
    decode: Callable[[dict[str, str | None]], dict[str, TypedValue]]

    @classmethod
    def of(cls, form: Form) -> _Plan:
        """The plan of a form's fields (percentages with `ratio_of` are recomputed)."""
        order = tuple(
            (f.key, aggregation_of(f)[0] if f.type.is_numeric else None, f)
            for f in form.fields
            if not f.ratio_of
        )
        adds = [(k, f) for k, how, f in order if how in (Aggregation.SUM, Aggregation.AVERAGE)]
        whole = tuple(k for k, f in adds if f.type is FieldType.INTEGER)
        decimal = tuple(k for k, f in adds if f.type is not FieldType.INTEGER)
        summed = whole + decimal
        highest = tuple(k for k, how, _ in order if how is Aggregation.MAX)
        listed = tuple(
            k
            for k, how, f in order
            if how is Aggregation.NONE or (how is None and f.type is FieldType.TEXT)
        )
        final = tuple(
            k
            for k, how, f in order
            if how is Aggregation.LAST or (how is None and f.type is not FieldType.TEXT)
        )
        return cls(
            form.code,
            order,
            summed,
            taker(summed),
            taker(whole),
            taker(decimal),
            highest,
            final,
            listed,
            frozenset(summed + highest),
            tuple(f for f in form.fields if f.ratio_of),
            {f.key: decoder(f) for f in form.fields},
            form_decoder(form),
        )


@dataclass(slots=True)
class _UnitFold:
    """One unit's running state for one form: the months it answered, the summed and MAX
    fields some answered month left without a value, the running sums and maxima (in the
    plan's order), the last month's values of LAST fields, choices and dates, and the
    values of listed fields month by month."""

    months: int = 0  # bit i: month i answered
    gapped: set[str] = field(default_factory=set)
    sums: list[Any] = field(default_factory=list)
    highs: list[Any] = field(default_factory=list)
    final: dict[str, TypedValue] = field(default_factory=dict)
    listed: dict[str, list[tuple[Period, TypedValue]]] = field(default_factory=dict)


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
        self._plans = {code: _Plan.of(form) for code, form in forms.items()}
        self._folds: dict[str, dict[str, _UnitFold]] = {code: {} for code in forms}

    def _fold(self, form_code: str, unit_code: str, month: Period) -> _UnitFold | None:
        """The unit's running state, the month marked answered; None if the month or the
        form is not the period's."""
        plan = self._plans.get(form_code)
        i = self._index.get(form_code, {}).get(month)
        if plan is None or i is None:
            return None
        fold = self._folds[form_code].get(unit_code)
        if fold is None:
            fold = self._folds[form_code][unit_code] = _UnitFold(
                sums=[0] * len(plan.summed), highs=[None] * len(plan.highest)
            )
        fold.months |= 1 << i
        return fold

    def add(
        self, month: Period, form_code: str, unit_code: str, given: Mapping[str, TypedValue]
    ) -> None:
        """One unit's typed answers to one form in one month of the period."""
        if not given or (fold := self._fold(form_code, unit_code, month)) is None:
            return
        plan = self._plans[form_code]
        # A year of a big office is millions of values: whole groups at a time, in C where
        # it can be. A field left out of a month is never summed, whatever stands in for it.
        missing = plan.counted.difference(given)
        if missing:
            fold.gapped |= missing
            summed: Sequence[Any] = [given.get(key, 0) for key in plan.summed]
        else:
            summed = plan.take_summed(given)
        self._take(plan, fold, month, summed, given.get)

    def add_stored(
        self, month: Period, form_code: str, unit_code: str, stored: dict[str, str | None]
    ) -> None:
        """One unit's answers to one form in one month as storage keeps them (field ->
        canonical text, None: cleared). When every field holds a value and the whole
        numbers are plain, they are summed as ints, exactly what Decimals sum to (below 28
        digits) at a fraction of the cost; anything else is decoded and `add`ed."""
        plan = self._plans.get(form_code)
        if plan is None or month not in self._index[form_code]:
            return
        if stored.keys() == plan.decoders.keys() and None not in stored.values():
            try:
                whole = list(map(int, plan.take_whole(stored)))
            except ValueError:  # "12.0" or the like: as a Decimal, exponent and all
                whole = None
            if whole is not None and _small(whole):
                if (fold := self._fold(form_code, unit_code, month)) is None:
                    return
                decoders = plan.decoders
                decimal = map(Decimal, plan.take_decimal(stored))
                self._take(
                    plan,
                    fold,
                    month,
                    whole + list(decimal),
                    lambda key: decoders[key](stored[key]),  # type: ignore[arg-type]
                )
                return
        self.add(month, form_code, unit_code, plan.decode(stored))

    def _take(
        self,
        plan: _Plan,
        fold: _UnitFold,
        month: Period,
        summed: Sequence[Any],
        value_of: Callable[[str], TypedValue | None],
    ) -> None:
        """Fold one month in: `summed` in the plan's order, the rest by `value_of`."""
        fold.sums = list(map(add, fold.sums, summed))
        if plan.highest:
            fold.highs = [
                high if (value := value_of(key)) is None or (high is not None and value <= high)
                else value
                for key, high in zip(plan.highest, fold.highs, strict=True)
            ]  # fmt: skip
        if month == self._months[plan.code][-1]:
            fold.final = {key: value for key in plan.final if (value := value_of(key)) is not None}
        for key in plan.listed:
            if (value := value_of(key)) is not None:
                fold.listed.setdefault(key, []).append((month, value))

    def _unit_values(self, form: Form, fold: _UnitFold) -> dict[str, TypedValue]:
        plan = self._plans[form.code]
        n = len(self._months[form.code])
        every = fold.months == (1 << n) - 1
        sums = dict(zip(plan.summed, fold.sums, strict=True))
        highs = dict(zip(plan.highest, fold.highs, strict=True))
        out: dict[str, TypedValue] = {}
        for key, how, spec in plan.order:
            if key in fold.final:
                out[key] = fold.final[key]
            elif key in fold.listed:
                given = fold.listed[key]
                if how is None:  # a text: a line repeated month after month is said once
                    if spec.required and len(given) < n:
                        continue
                    lines = (line for _, v in given for line in str(v).splitlines())
                    out[key] = "\n".join(dict.fromkeys(line for line in lines if line.strip()))
                elif len(given) == n:
                    out[key] = _listed(spec, [v for _, v in given], [m for m, _ in given])
            elif every and key not in fold.gapped:
                if key in highs:
                    out[key] = highs[key]
                elif how is Aggregation.AVERAGE:
                    out[key] = Decimal(sums[key]) / n
                elif key in sums:
                    out[key] = Decimal(sums[key])  # an int if summed from stored text
        if every:
            for spec in plan.ratios:
                if (ratio := _ratio(spec, out)) is not None:
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
            {unit: tuple(sorted(gone, key=_in_order)) for unit, gone in missing.items()},
        )
