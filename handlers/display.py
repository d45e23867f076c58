"""Values and problems as users read them (Vietnamese number and date formats)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from domain.forms import Field, FieldType, Form
from domain.numbers import format_number
from domain.validation import PREVIOUS_STOCK, Inconsistency, InconsistencyKind
from domain.values import TypedValue, decode
from templates.catalog import text


def show_value(field: Field, value: TypedValue, with_measure: bool = True) -> str:
    """A typed value as the user would write it: '1.924.862 lượt', '20,33%', '13/02/2022'."""
    if isinstance(value, Decimal):
        shown = format_number(value)
        if field.type is FieldType.PERCENT:
            return f"{shown}%"
        return f"{shown} {field.measure}" if with_measure and field.measure else shown
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def show_stored(field: Field, stored: str | None) -> str:
    """A stored canonical value for display; empty when there is none."""
    return "" if stored is None else show_value(field, decode(field, stored))


def describe_problem(form: Form, problem: Inconsistency) -> str:
    """One sentence citing the numbers, e.g. '472 + 1.914 = 2.386, nhưng tổng là 2.361'."""
    field = form.field(problem.field_key)
    if problem.kind is InconsistencyKind.PARTS:
        return text(
            "chat.problem_parts",
            total=field.title,
            parts=[form.field(key).title for key, _ in problem.terms],
            terms=" + ".join(format_number(value) for _, value in problem.terms),
            expected=format_number(problem.expected),
            actual=format_number(problem.actual),
        )
    if problem.kind is InconsistencyKind.PARTS_OVER:
        return text(
            "chat.problem_parts_over",
            total=field.title,
            actual=format_number(problem.actual),
            parts=[form.field(key).title for key, _ in problem.terms],
            known=format_number(problem.expected),
        )
    if problem.kind is InconsistencyKind.BOUND:
        ((bound_key, bound),) = problem.terms
        return text(
            "chat.problem_bound",
            label=field.title,
            actual=format_number(problem.actual),
            bound_label=form.field(bound_key).title,
            bound=format_number(bound),
        )
    if problem.kind is InconsistencyKind.STOCK_BELOW_FLOW:
        ((flow_key, flow),) = problem.terms
        return text(
            "chat.problem_stock_below_flow",
            stock=field.title,
            actual=format_number(problem.actual),
            flow=form.field(flow_key).title,
            flow_value=format_number(flow),
        )
    previous = dict(problem.terms)[PREVIOUS_STOCK]
    flow_key = next(key for key, _ in problem.terms if key != PREVIOUS_STOCK)
    return text(
        "chat.problem_stock",
        stock=field.title,
        flow=form.field(flow_key).title,
        previous=format_number(previous),
        flow_value=format_number(dict(problem.terms)[flow_key]),
        expected=format_number(problem.expected),
        actual=format_number(problem.actual),
    )


def numeric_values(form: Form, stored: Mapping[str, str | None]) -> dict[str, Decimal]:
    """The numeric answers of a form, typed."""
    values = {}
    for key, value in stored.items():
        if value is not None and form.has_field(key) and form.field(key).type.is_numeric:
            values[key] = Decimal(value)
    return values
