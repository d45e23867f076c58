"""Why a typed value was refused, and what to send instead, in the user's words."""

from __future__ import annotations

from decimal import Decimal

from domain.forms import Field, FieldType
from domain.numbers import format_number
from domain.values import ValueProblem
from templates.catalog import text

_EXAMPLES = {
    FieldType.INTEGER: "1.924.862",
    FieldType.DECIMAL: "20,5",
    FieldType.PERCENT: "20,33",
    FieldType.DATE: "13/02/2022",
}


def _example(field: Field) -> str:
    if field.type is FieldType.CHOICE:
        return field.choices[0] if field.choices else ""
    return _EXAMPLES.get(field.type, "")


def _limit(value: Decimal | int | None) -> str:
    return "" if value is None else format_number(value)


def describe_value_problem(field: Field, problem: ValueProblem) -> str:
    """One message saying what was wrong with the value and what to send instead."""
    suggestion = "" if problem.suggestion is None else format_number(problem.suggestion)
    return text(
        f"chat.value_{problem.code.value}",
        typed=problem.text,
        label=field.title,
        limit=_limit(problem.limit),
        example=_example(field),
        reason=problem.number_reason.value if problem.number_reason else "",
        suggestion=suggestion,
        choices=list(field.choices),
        measure=field.measure,
    )
