"""Typed values of fields: reading what a user typed, checking it, storing it as text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from operator import itemgetter
from typing import Any, cast

from domain.digits import small_int
from domain.forms import Field, FieldType, Form
from domain.numbers import NumberError, NumberErrorReason, parse_number

TypedValue = Decimal | str | date

_PERCENT_RANGE = (Decimal(0), Decimal(100))


class ValueProblemCode(StrEnum):
    """Why a value was refused."""

    REQUIRED = "required"
    NOT_A_NUMBER = "not_a_number"
    NOT_INTEGER = "not_integer"
    BELOW_MIN = "below_min"
    ABOVE_MAX = "above_max"
    TOO_LONG = "too_long"
    TOO_MANY_DIGITS = "too_many_digits"
    NOT_A_CHOICE = "not_a_choice"
    NOT_A_DATE = "not_a_date"


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """A refused value, with what is needed to explain it to the user."""

    code: ValueProblemCode
    field_key: str
    text: str
    limit: Decimal | int | None = None
    number_reason: NumberErrorReason | None = None
    suggestion: Decimal | None = None


class ValueRejected(ValueError):
    """Raised by parse_value; carries the ValueProblem."""

    def __init__(self, problem: ValueProblem) -> None:
        super().__init__(f"{problem.field_key}: {problem.code} ({problem.text!r})")
        self.problem = problem


def parse_value(field: Field, text: str) -> TypedValue:
    """Read and check what a user typed for a field; ValueRejected if it will not do."""
    cleaned = text.strip()
    if not cleaned:
        raise _rejected(field, ValueProblemCode.REQUIRED, text)
    if field.type.is_numeric:
        return _parse_numeric(field, cleaned)
    if field.type is FieldType.CHOICE:
        return _parse_choice(field, cleaned)
    if field.type is FieldType.DATE:
        return _parse_date(field, cleaned)
    if len(cleaned) > field.max_length:
        raise _rejected(field, ValueProblemCode.TOO_LONG, cleaned[:50], limit=field.max_length)
    return cleaned


def _rejected(
    field: Field,
    code: ValueProblemCode,
    text: str,
    limit: Decimal | int | None = None,
    number_reason: NumberErrorReason | None = None,
    suggestion: Decimal | None = None,
) -> ValueRejected:
    problem = ValueProblem(code, field.key, text[:50], limit, number_reason, suggestion)
    return ValueRejected(problem)


def _parse_numeric(field: Field, text: str) -> Decimal:
    try:
        value = parse_number(text)
    except NumberError as error:
        if field.type is FieldType.INTEGER and not _is_whole(error.suggestion):
            # "12.5" on a whole-number question: suggesting the decimal 12,5 would only get
            # "not a whole number" next; say what the question takes instead.
            raise _rejected(
                field, ValueProblemCode.NOT_INTEGER, text, number_reason=error.reason
            ) from None
        raise _rejected(
            field,
            ValueProblemCode.NOT_A_NUMBER,
            text,
            number_reason=error.reason,
            suggestion=error.suggestion,
        ) from None
    if field.type is FieldType.INTEGER and value != value.to_integral_value():
        raise _rejected(field, ValueProblemCode.NOT_INTEGER, text)
    if digit_count(value) > field.max_digits:
        raise _rejected(field, ValueProblemCode.TOO_MANY_DIGITS, text, limit=field.max_digits)
    low, high = field.min, field.max
    if field.type is FieldType.PERCENT:
        low = _PERCENT_RANGE[0] if low is None else low
        high = _PERCENT_RANGE[1] if high is None else high
    if low is not None and value < low:
        raise _rejected(field, ValueProblemCode.BELOW_MIN, text, limit=low)
    if high is not None and value > high:
        raise _rejected(field, ValueProblemCode.ABOVE_MAX, text, limit=high)
    return value


def _is_whole(suggestion: Decimal | None) -> bool:
    """Whether a suggested reading is a whole number (None: there is no suggestion)."""
    return suggestion is None or suggestion == suggestion.to_integral_value()


def digit_count(value: Decimal) -> int:
    """How many digits a number is written with: 1924862 -> 7, 20.33 -> 4, 0.5 -> 1."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # parse_number returns finite numbers only
    return len(digits) + max(exponent, 0)


def _fold(text: str) -> str:
    """Lower case without diacritics, so 'khong' matches 'Không'."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").strip()


def _parse_choice(field: Field, text: str) -> str:
    # small_int, not int(): "²" is a digit int() refuses, and 5,000 digits pass its limit.
    number = small_int(text)
    if number is not None and 1 <= number <= len(field.choices):
        return field.choices[number - 1]
    wanted = _fold(text)
    for choice in field.choices:
        if _fold(choice) == wanted:
            return choice
    raise _rejected(field, ValueProblemCode.NOT_A_CHOICE, text)


_DATE_VN = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _parse_date(field: Field, text: str) -> date:
    try:
        if match := _DATE_VN.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if match := _DATE_ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass  # e.g. 13/20/2022: the month does not exist
    raise _rejected(field, ValueProblemCode.NOT_A_DATE, text)


def encode(value: TypedValue) -> str:
    """The canonical text stored for a value ('1924862', '20.33', '2022-02-13', or text)."""
    if isinstance(value, Decimal):
        normal = value.normalize()
        # normalize() turns 1000 into 1E+3: write it out in full.
        return format(normal, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def decode(field: Field, stored: str) -> TypedValue:
    """The typed value of stored canonical text."""
    if field.type.is_numeric:
        return Decimal(stored)
    if field.type is FieldType.DATE:
        return date.fromisoformat(stored)
    return stored


def decoder(field: Field) -> Callable[[str], TypedValue]:
    """`decode` for one field, chosen once: bulk reads decode hundreds of thousands of
    values of a few dozen fields."""
    if field.type.is_numeric:
        return Decimal
    if field.type is FieldType.DATE:
        return date.fromisoformat
    return str


def taker(keys: Sequence[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """The values of these keys, in order, from a mapping that holds them all (in C)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda given: (given[key],)
    return itemgetter(*keys) if keys else lambda given: ()


def form_decoder(form: Form) -> Callable[[dict[str, str | None]], dict[str, TypedValue]]:
    """The typed values of a unit's stored answers to a form, given as field -> text (None:
    cleared): fields no longer in the form are left out. A year's bulk read decodes
    millions of values: a complete set of answers is decoded a group at a time."""
    decoders = {f.key: decoder(f) for f in form.fields}
    every = decoders.keys()
    numeric = tuple(f.key for f in form.fields if f.type.is_numeric)
    take_numeric = taker(numeric)
    dates = tuple(f.key for f in form.fields if f.type is FieldType.DATE)

    def typed(stored: dict[str, str | None]) -> dict[str, TypedValue]:
        if stored.keys() == every and None not in stored.values():
            values = cast(dict[str, TypedValue], dict(stored))
            values.update(zip(numeric, map(Decimal, take_numeric(stored)), strict=True))
            for key in dates:
                values[key] = date.fromisoformat(stored[key])  # type: ignore[arg-type]
            return values  # texts and choices are their stored text
        return {
            key: decoders[key](value)
            for key, value in stored.items()
            if value is not None and key in decoders
        }

    return typed
