"""Numbers typed and shown in Vietnamese format."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from domain.numbers import (
    NumberError,
    NumberErrorReason,
    format_number,
    format_percent,
    parse_number,
    percent_points,
    ratio,
)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1.924.862", D(1924862)),
        ("1924862", D(1924862)),
        ("20,33", D("20.33")),
        ("20,33%", D("20.33")),
        ("20,33 %", D("20.33")),
        ("1 234", D(1234)),
        ("1\u00a0234", D(1234)),  # NBSP, as some keyboards group digits
        ("1\u202f234\u202f567", D(1234567)),  # narrow NBSP
        (" 391 điểm", D(391)),
        ("1.924.862 lượt quét", D(1924862)),
        ("\u00a0391\u2009", D(391)),  # NBSP and thin space around
        ("\u200b42", D(42)),  # zero-width space from copy-paste
        ("1,5", D("1.5")),
        ("0,5", D("0.5")),
        (",5", D("0.5")),
        ("1.234", D(1234)),  # valid Vietnamese grouping, not 1.234
        ("12,345", D("12.345")),  # valid Vietnamese decimal, not 12345
        ("1.000.000,5", D("1000000.5")),
        ("-5", D(-5)),
        ("+5", D(5)),
        ("- 5", D(-5)),
        ("\u22125", D(-5)),  # the Unicode minus sign
        ("0", D(0)),
        ("007", D(7)),
        ("５", D(5)),  # full-width digit
        ("١٢٣", D(123)),  # Arabic-Indic digits: still digits to Babel and Decimal
        ("5 km", D(5)),  # a unit that only starts like "k" (nghìn)
        ("12 người", D(12)),
    ],
)
def test_vietnamese_numbers_are_read(typed: str, value: D) -> None:
    result = parse_number(typed)
    assert result == value
    assert isinstance(result, D)


@pytest.mark.parametrize(
    ("typed", "reason", "suggestion"),
    [
        ("", NumberErrorReason.EMPTY, None),
        ("  ", NumberErrorReason.EMPTY, None),
        ("\u00a0\u202f", NumberErrorReason.EMPTY, None),
        ("abc", NumberErrorReason.NOT_A_NUMBER, None),
        ("%", NumberErrorReason.NOT_A_NUMBER, None),
        ("-", NumberErrorReason.NOT_A_NUMBER, None),
        ("1.23.4", NumberErrorReason.NOT_A_NUMBER, None),
        ("1.234,", NumberErrorReason.NOT_A_NUMBER, None),
        ("1,2,3", NumberErrorReason.NOT_A_NUMBER, None),
        ("12 34", NumberErrorReason.NOT_A_NUMBER, None),  # spaces only between groups of 3
        ("1e5", NumberErrorReason.NOT_A_NUMBER, None),  # Babel alone would read 100000
        ("12abc", NumberErrorReason.NOT_A_NUMBER, None),
        ("khoảng 300", NumberErrorReason.NOT_A_NUMBER, None),
        ("NaN", NumberErrorReason.NOT_A_NUMBER, None),
        ("12.5", NumberErrorReason.AMBIGUOUS, D("12.5")),
        ("0.5", NumberErrorReason.AMBIGUOUS, D("0.5")),
        (".5", NumberErrorReason.AMBIGUOUS, D("0.5")),
        ("1.2345", NumberErrorReason.AMBIGUOUS, D("1.2345")),
        ("1234.567", NumberErrorReason.AMBIGUOUS, D("1234.567")),
        ("-12.5", NumberErrorReason.AMBIGUOUS, D("-12.5")),
        ("5 triệu", NumberErrorReason.WITH_WORD, D(5_000_000)),
        ("1,5 tr", NumberErrorReason.WITH_WORD, D(1_500_000)),
        ("2 nghìn lượt", NumberErrorReason.WITH_WORD, D(2000)),
        ("3 Tỷ đồng", NumberErrorReason.WITH_WORD, D(3_000_000_000)),
        ("5 trie\u0302\u0323u", NumberErrorReason.WITH_WORD, D(5_000_000)),  # decomposed
        ("1,234.56", NumberErrorReason.ENGLISH_FORMAT, D("1234.56")),
        ("1,234,567", NumberErrorReason.ENGLISH_FORMAT, D(1234567)),
        ("12,345,678.9%", NumberErrorReason.ENGLISH_FORMAT, D("12345678.9")),
        ("1" * 65, NumberErrorReason.TOO_LONG, None),
    ],
)
def test_refusals_say_why_and_what_was_meant(
    typed: str, reason: NumberErrorReason, suggestion: D | None
) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(typed)
    assert caught.value.reason is reason
    assert caught.value.suggestion == suggestion
    assert isinstance(caught.value, ValueError)


def test_the_error_keeps_only_the_start_of_a_long_input() -> None:
    typed = "x" * 100
    with pytest.raises(NumberError) as caught:
        parse_number(typed)
    assert caught.value.text == "x" * 50


def test_sixty_four_characters_are_still_read() -> None:
    assert parse_number("1" * 64) == D("1" * 64)


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (D(1924862), None, "1.924.862"),
        (1924862, None, "1.924.862"),
        (D("0.5"), None, "0,5"),
        (D("5.00"), None, "5"),  # integers show no decimals
        (D("1.50"), None, "1,5"),
        (D("1234.5678"), None, "1.234,5678"),  # no silent rounding without places
        (D("-1234.5"), None, "-1.234,5"),
        (D("-0"), None, "0"),
        (D("1E+3"), None, "1.000"),
        (D("20.33"), 2, "20,33"),
        (D("20.325"), 2, "20,33"),  # half up; Babel alone rounds half even to 20,32
        (D("20.335"), 2, "20,34"),
        (D(7), 2, "7,00"),
        (D("2.5"), 0, "3"),
        (D("-0.001"), 2, "0,00"),
        (D("1234567.891"), 1, "1.234.567,9"),
    ],
)
def test_numbers_are_written_the_vietnamese_way(
    value: D | int, places: int | None, shown: str
) -> None:
    assert format_number(value, places) == shown


@pytest.mark.parametrize(
    "canonical", ["1.924.862", "0,5", "20,33", "-5", "1.000.000,5", "12,345", "0", "999"]
)
def test_canonical_forms_round_trip(canonical: str) -> None:
    assert format_number(parse_number(canonical)) == canonical


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (D("0.2033"), D(1), "20,33%"),
        (D(42), D(5642), "0,74%"),
        (D(13811), D(17084), "80,84%"),
        (D(1), D(1), "100,00%"),
        (D(1), D(8), "12,50%"),  # 12.5 exactly
        (D(1), D(16), "6,25%"),  # 6.25: half up, not half even (6,2%)
    ],
)
def test_percentages_have_no_space_before_the_sign(part: D, whole: D, shown: str) -> None:
    share = ratio(part, whole)
    assert share is not None
    assert format_percent(share) == shown


def test_percent_places_and_half_up() -> None:
    assert format_percent(D("0.00125"), places=1) == "0,1%"
    assert format_percent(D("0.00125"), places=3) == "0,125%"
    assert format_percent(D("0.000125"), places=2) == "0,01%"
    assert format_percent(D("0.5"), places=0) == "50%"


def test_ratio_of_nothing_is_none() -> None:
    assert ratio(D(5), D(0)) is None
    assert ratio(D(0), D(5)) == D(0)
    assert ratio(D(1), D(4)) == D("0.25")


@pytest.mark.parametrize(
    ("share", "places", "points"),
    [
        (D(42) / D(5642), 2, D("0.74")),
        (D(13811) / D(17084), 2, D("80.84")),
        (D("0.12345"), 2, D("12.35")),  # half up
        (D("0.12345"), 1, D("12.3")),
        (D("-0.00001"), 2, D("0.00")),
    ],
)
def test_percent_points(share: D, places: int, points: D) -> None:
    result = percent_points(share, places)
    assert result == points
    assert result.as_tuple().exponent == -places


def test_minus_zero_is_plain_zero() -> None:
    assert str(parse_number("-0")) == "0"
    assert format_number(parse_number("-0,0")) == "0"
