"""What the bot says back about a refused value: the reason, and what to send instead."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.forms import Field, FieldKind, FieldType
from domain.values import ValueRejected, parse_value
from handlers.problems import describe_value_problem

LETTERS = Field("vb_di", "văn bản đi", FieldType.INTEGER, FieldKind.FLOW, measure="văn bản")
REVENUE = Field(
    "doanh_thu", "doanh thu", FieldType.DECIMAL, FieldKind.FLOW, measure="triệu đồng", min=D(0)
)


def _said(field: Field, typed: str) -> str:
    with pytest.raises(ValueRejected) as caught:
        parse_value(field, typed)
    return describe_value_problem(field, caught.value.problem)


def test_a_figure_with_a_word_is_asked_in_digits_not_as_a_dot_question() -> None:
    said = _said(LETTERS, "5 triệu")
    assert said == "«5 triệu» chưa rõ: hãy chỉ gửi chữ số, không kèm chữ, ví dụ: 5.000.000."
    assert "dấu chấm" not in said


def test_a_figure_in_millions_is_not_told_to_multiply_by_a_million() -> None:
    said = _said(REVENUE, "5 triệu")
    assert (
        said
        == "«5 triệu» chưa rõ: hãy chỉ gửi chữ số, không kèm chữ; câu này đã tính bằng triệu đồng."
    )
    assert "5.000.000" not in said


def test_a_dot_decimal_still_gets_the_dot_explanation() -> None:
    assert "hãy gửi 12,5" in _said(REVENUE, "12.5")
