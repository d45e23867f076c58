"""Reading, checking and storing the value of one field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from domain.forms import Field, FieldKind, FieldType
from domain.numbers import NumberErrorReason
from domain.values import ValueProblemCode, ValueRejected, decode, encode, parse_value

SCANS = Field(
    "luot_quet",
    "Lượt quét",
    FieldType.INTEGER,
    FieldKind.STOCK,
    measure="lượt",
    min=D(0),
    max=D(100_000_000),
)
SHARE = Field("ty_le", "Tỷ lệ", FieldType.PERCENT, FieldKind.FLOW)
ANSWER = Field("co_khong", "Có?", FieldType.CHOICE, FieldKind.TEXT, choices=("Có", "Không"))
DAY = Field("ngay", "Ngày", FieldType.DATE, FieldKind.TEXT)
NOTE = Field("ghi_chu", "Ghi chú", FieldType.TEXT, FieldKind.TEXT, max_length=10)


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        (SCANS, "1.924.862", D(1924862)),
        (SCANS, " 1924862 lượt ", D(1924862)),
        (SHARE, "20,33%", D("20.33")),
        (ANSWER, "khong", "Không"),
        (ANSWER, "1", "Có"),
        (DAY, "13/02/2022", date(2022, 2, 13)),
        (DAY, "2022-02-13", date(2022, 2, 13)),
        (NOTE, "  Ổn định ", "Ổn định"),
    ],
)
def test_good_values_are_read(field: Field, typed: str, value: object) -> None:
    assert parse_value(field, typed) == value


@pytest.mark.parametrize(
    ("field", "typed", "code", "limit"),
    [
        (SCANS, "", ValueProblemCode.REQUIRED, None),
        (SCANS, "12,5", ValueProblemCode.NOT_INTEGER, None),
        (SCANS, "-3", ValueProblemCode.BELOW_MIN, D(0)),
        (SCANS, "200.000.000", ValueProblemCode.ABOVE_MAX, D(100_000_000)),
        (SHARE, "120", ValueProblemCode.ABOVE_MAX, D(100)),
        (ANSWER, "3", ValueProblemCode.NOT_A_CHOICE, None),
        (DAY, "13/20/2022", ValueProblemCode.NOT_A_DATE, None),
        (NOTE, "x" * 11, ValueProblemCode.TOO_LONG, 10),
    ],
)
def test_bad_values_say_why(
    field: Field, typed: str, code: ValueProblemCode, limit: object
) -> None:
    with pytest.raises(ValueRejected) as caught:
        parse_value(field, typed)
    assert caught.value.problem.code is code
    assert caught.value.problem.limit == limit
    assert caught.value.problem.field_key == field.key


def test_an_ambiguous_number_carries_the_suggestion() -> None:
    with pytest.raises(ValueRejected) as caught:
        parse_value(SHARE, "12.5")
    problem = caught.value.problem
    assert problem.code is ValueProblemCode.NOT_A_NUMBER
    assert problem.number_reason is NumberErrorReason.AMBIGUOUS
    assert problem.suggestion == D("12.5")


@pytest.mark.parametrize(
    ("field", "value", "stored"),
    [
        (SCANS, D(1924862), "1924862"),
        (SCANS, D(1000), "1000"),
        (SHARE, D("20.30"), "20.3"),
        (DAY, date(2022, 2, 13), "2022-02-13"),
        (NOTE, "Ổn", "Ổn"),
    ],
)
def test_values_are_stored_as_canonical_text_and_read_back(
    field: Field, value: object, stored: str
) -> None:
    assert encode(value) == stored  # type: ignore[arg-type]
    assert decode(field, stored) == value


@pytest.mark.parametrize("typed", ["12.5", "1,234.56", "-0.5"])
def test_a_decimal_on_a_whole_number_question_is_not_suggested_as_a_decimal(typed: str) -> None:
    with pytest.raises(ValueRejected) as caught:
        parse_value(SCANS, typed)
    problem = caught.value.problem
    assert problem.code is ValueProblemCode.NOT_INTEGER
    assert problem.suggestion is None


@pytest.mark.parametrize(
    "typed", ["9" * 16, "9.999.999.999.999.999.999.999", "1" * 30, "1,5" + "0" * 14]
)
def test_numbers_longer_than_the_limit_are_refused_with_the_limit(typed: str) -> None:
    field = Field("so", "Số", FieldType.DECIMAL, FieldKind.FLOW)
    with pytest.raises(ValueRejected) as caught:
        parse_value(field, typed)
    assert caught.value.problem.code is ValueProblemCode.TOO_MANY_DIGITS
    assert caught.value.problem.limit == 15


def test_fifteen_digits_are_taken_and_read_back_exactly() -> None:
    value = parse_value(Field("so", "Số", FieldType.INTEGER, FieldKind.FLOW), "9" * 15)
    assert encode(value) == "9" * 15


@pytest.mark.parametrize("typed", ["²", "1" * 5000])
def test_a_choice_typed_as_odd_or_endless_digits_is_refused_not_crashed(typed: str) -> None:
    with pytest.raises(ValueRejected):
        parse_value(ANSWER, typed)
