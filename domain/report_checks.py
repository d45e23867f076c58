"""Consistency warnings of a report: parts and stocks of each unit's forms, stated ratios the
data do not reproduce, and totals across units that do not add up.

Each warning carries the labels and numbers to cite and the explanation the unit gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.forms import Form
from domain.numbers import percent_points
from domain.periods import Period
from domain.plausibility import check_plausible
from domain.report import DerivedKind, ReportSpec
from domain.report_figures import FigureBook, PeriodAnswers
from domain.units import Unit
from domain.validation import (
    PREVIOUS_STOCK,
    InconsistencyKind,
    check_consistency,
    related_fields,
)


class WarningKind(StrEnum):
    """Which relation a warning is about."""

    PARTS = "parts"  # a total is not the sum of its parts
    PARTS_OVER = "parts_over"  # the parts given already exceed their total (some missing)
    STOCK = "stock"  # a stock is not last period's plus the period's flow
    STOCK_BELOW_FLOW = "stock_below_flow"  # a stock smaller than the period's own flow
    RATIO = "ratio"  # a stated percentage is not what the figures give
    BOUND = "bound"  # a figure exceeds the one it may not exceed
    KEPT = "kept"  # a figure questioned as unusual that the unit kept, with its explanation


@dataclass(frozen=True, slots=True)
class ReportWarning:
    """A relation the data break: `label` should be `expected` but is `actual`.

    `terms` are (label, value) of what `expected` was computed from; for a stock the first
    term is the previous period's stock (label ""). `places` is how many decimals a ratio
    warning shows.
    """

    kind: WarningKind
    unit_code: str
    form_code: str
    field_key: str
    label: str
    expected: Decimal
    actual: Decimal
    terms: tuple[tuple[str, Decimal], ...]
    explanation: str | None = None
    places: int = 2


def _numbers(values: Mapping[str, object], keys: frozenset[str]) -> dict[str, Decimal]:
    return {k: v for k, v in values.items() if k in keys and isinstance(v, Decimal)}


_WARNING_KINDS = {
    InconsistencyKind.PARTS: WarningKind.PARTS,
    InconsistencyKind.PARTS_OVER: WarningKind.PARTS_OVER,
    InconsistencyKind.STOCK: WarningKind.STOCK,
    InconsistencyKind.STOCK_BELOW_FLOW: WarningKind.STOCK_BELOW_FLOW,
    InconsistencyKind.BOUND: WarningKind.BOUND,
}


def form_warnings(
    forms: Mapping[str, Form],
    units: Sequence[Unit],
    current: PeriodAnswers,
    previous: PeriodAnswers,
) -> list[ReportWarning]:
    """Broken parts and stock relations of every unit's forms, in unit then form order."""
    warnings = []
    related = {code: related_fields(form) for code, form in forms.items()}
    for unit in units:
        for form_code in unit.forms:
            form = forms.get(form_code)
            keys = related.get(form_code)
            values = current.unit_values(form_code, unit.code)
            if form is None or not keys or not values:
                continue  # a form without relations has nothing to check
            before = _numbers(previous.unit_values(form_code, unit.code), keys)
            for problem in check_consistency(form, _numbers(values, keys), before):
                kind = _WARNING_KINDS[problem.kind]
                terms = tuple(
                    ("" if key == PREVIOUS_STOCK else form.field(key).title, value)
                    for key, value in problem.terms
                )
                warnings.append(
                    ReportWarning(
                        kind,
                        unit.code,
                        form_code,
                        problem.field_key,
                        form.field(problem.field_key).title,
                        problem.expected,
                        problem.actual,
                        terms,
                        current.explanation(form_code, unit.code, problem.field_key),
                    )
                )
    return warnings


def kept_warnings(
    forms: Mapping[str, Form],
    units: Sequence[Unit],
    current: PeriodAnswers,
    previous: PeriodAnswers,
    flagged: Sequence[ReportWarning],
) -> list[ReportWarning]:
    """Unusual figures the units kept with an explanation (far from last period's value, or
    over the field's plausible max) that no broken relation accounts for; `expected` is last
    period's value, 0 if none."""
    if not current.explanations:
        return []
    cited = {(w.unit_code, w.form_code, w.field_key) for w in flagged}
    warnings = []
    for unit in units:
        for form_code in unit.forms:
            form = forms.get(form_code)
            if form is None:
                continue
            values = current.unit_values(form_code, unit.code)
            before = previous.unit_values(form_code, unit.code)
            for field in form.fields:
                value = values.get(field.key)
                why = current.explanation(form_code, unit.code, field.key)
                if not why or not isinstance(value, Decimal):
                    continue
                if (unit.code, form_code, field.key) in cited:
                    continue
                last = before.get(field.key)
                known = last if isinstance(last, Decimal) and last else None
                if check_plausible(field, value, known) is None:
                    continue
                warnings.append(
                    ReportWarning(
                        WarningKind.KEPT,
                        unit.code,
                        form_code,
                        field.key,
                        field.title,
                        last if isinstance(last, Decimal) else Decimal(0),
                        value,
                        (),
                        why,
                    )
                )
    return warnings


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _label(spec: ReportSpec, forms: Mapping[str, Form], name: str) -> str:
    if name in spec.figures:
        figure = spec.figures[name]
        return figure.label or forms[figure.form].field(figure.field).title
    return spec.derived[name].label or name


def ratio_warnings(
    spec: ReportSpec, forms: Mapping[str, Form], book: FigureBook, current: PeriodAnswers
) -> list[ReportWarning]:
    """Stated percentages (typed by a unit) that the figures do not reproduce.

    The computed ratio is rounded to the decimals the unit typed, so that a unit writing
    "80,8" for 80,84% is not blamed.
    """
    warnings = []
    period = current.period
    for derived in spec.derived.values():
        if derived.kind is not DerivedKind.RATIO or not derived.stated:
            continue
        computed = book.get(derived.name, period).number
        stated = book.get(derived.stated, period).number
        if computed is None or stated is None:
            continue
        places = _places(stated)
        expected = percent_points(computed, places)
        if expected == stated:
            continue
        figure = spec.figures[derived.stated]
        units = book.units_of(derived.stated, period)
        unit_code = units[0].code if units else ""
        part, whole = derived.of
        terms = (
            (_label(spec, forms, part), book.get(part, period).number or Decimal(0)),
            (_label(spec, forms, whole), book.get(whole, period).number or Decimal(0)),
        )
        warnings.append(
            ReportWarning(
                WarningKind.RATIO,
                unit_code,
                figure.form,
                figure.field,
                _label(spec, forms, derived.stated),
                expected,
                stated,
                terms,
                current.explanation(figure.form, unit_code, figure.field),
                places,
            )
        )
    return warnings


def cross_unit_warnings(
    spec: ReportSpec, forms: Mapping[str, Form], book: FigureBook, period: Period
) -> list[ReportWarning]:
    """Declared totals (one unit's figure) that are not the sum of other figures."""
    warnings = []
    for check in spec.checks:
        total = book.get(check.total, period).number
        parts = [book.get(name, period).number for name in check.parts]
        if total is None or any(p is None for p in parts):
            continue  # incomplete: the gaps already say so
        known = [p for p in parts if p is not None]
        expected = sum(known, Decimal(0))
        if expected == total:
            continue
        figure = spec.figures.get(check.total)
        units = book.units_of(check.total, period) if figure else []
        warnings.append(
            ReportWarning(
                WarningKind.PARTS,
                units[0].code if units else "",
                figure.form if figure else "",
                figure.field if figure else check.total,
                _label(spec, forms, check.total),
                expected,
                total,
                tuple(
                    (_label(spec, forms, name), value)
                    for name, value in zip(check.parts, known, strict=True)
                ),
            )
        )
    return warnings
