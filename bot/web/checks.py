"""The overview's warnings: each unit's broken relations (parts, stocks, bounds), the ones the
draft's review lists (`domain.report_checks.form_warnings`), with the report declaration's
own (a stated percentage the figures do not give, a declared total that is not the sum of
its parts), and how many are unexplained.

Only the forms that declare relations are read, and only their related fields decoded: an
office whose forms declare none pays nothing for this column. The declaration's checks read
the fields of the figures they name, for every unit (a total sums a group).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.report.gather import read_period_fields
from domain.calendar import period_window
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_checks import (
    ReportWarning,
    cross_unit_warnings,
    form_warnings,
    ratio_warnings,
)
from domain.report_figures import FigureBook
from domain.validation import related_fields
from handlers.context import Catalog
from storage import ReadView


@dataclass(frozen=True, slots=True)
class UnitWarnings:
    """How many relations a unit's answers break, and how many of those it left unexplained."""

    warnings: int = 0
    unexplained: int = 0


NONE = UnitWarnings()


async def unit_warnings(
    view: ReadView,
    catalog: Catalog,
    period: Period,
    codes: Collection[str],
    spec: ReportSpec | None = None,
) -> Mapping[str, UnitWarnings]:
    """Unit code -> its warnings for `period`, for the units of `codes` (those a page shows:
    checking a province's thousands costs more than the rest of the page); units without
    any are left out."""
    if not codes:
        return {}
    wanted = set(codes)
    warnings: list[ReportWarning] = []
    keys = {code: related_fields(form) for code, form in catalog.forms.items()}
    keys = {code: fields for code, fields in keys.items() if fields}
    if keys:
        forms = catalog.forms
        current = await read_period_fields(
            view, forms, keys, period, units=wanted, explanations=True
        )
        previous = await read_period_fields(
            view, forms, keys, period.previous(), units=wanted, explanations=False
        )
        units = [unit for unit in catalog.unit_list() if unit.code in wanted]
        warnings += form_warnings(catalog.forms, units, current, previous)
    if spec is not None:
        warnings += await _declared(view, catalog, period, spec)
    found: dict[str, UnitWarnings] = {}
    for warning in warnings:
        if warning.unit_code not in wanted:
            continue
        was = found.get(warning.unit_code, NONE)
        found[warning.unit_code] = UnitWarnings(
            was.warnings + 1, was.unexplained + (not warning.explanation)
        )
    return found


async def _declared(
    view: ReadView, catalog: Catalog, period: Period, spec: ReportSpec
) -> list[ReportWarning]:
    """The declaration's own warnings, as the draft's review sheet lists them: stated
    percentages the figures do not give, declared totals that are not their parts' sum."""
    keys = declared_fields(spec)
    if not keys:
        return []
    current = await read_period_fields(view, catalog.forms, keys, period, explanations=True)
    cutoff = period_window(period, catalog.regime)[1]
    units = catalog.unit_list()
    book = FigureBook(spec, catalog.forms, units, {period: current}, lambda _: cutoff)
    return ratio_warnings(spec, catalog.forms, book, current) + cross_unit_warnings(
        spec, catalog.forms, book, period
    )


def declared_fields(spec: ReportSpec) -> dict[str, frozenset[str]]:
    """Form -> the fields the declaration's stated percentages and totals checks read
    (through the derived figures they name)."""
    names = [n for d in spec.derived.values() if d.stated for n in (*d.of, d.stated)]
    names += [n for check in spec.checks for n in (check.total, *check.parts)]
    keys: dict[str, set[str]] = {}
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in spec.figures:
            figure = spec.figures[name]
            keys.setdefault(figure.form, set()).add(figure.field)
        elif name in spec.derived:
            names += spec.derived[name].of
    return {form: frozenset(fields) for form, fields in keys.items()}
