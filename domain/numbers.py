"""Numbers as Vietnamese users type and read them: "1.924.862", "20,33%".

Thousands are grouped with "." and decimals follow ",". Values are always Decimal.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from enum import StrEnum

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "vi"
MAX_INPUT_LENGTH = 64
_FORMAT_PRECISION = 2 * MAX_INPUT_LENGTH
_ERROR_TEXT_LENGTH = 50

# A reply is: an optional sign, the number, an optional "%", then an optional measure word
# ("391 điểm", "1.924.862 lượt quét"). The measure word must be set off by a space so that
# "1e5" or "12abc" are refused instead of silently read as 1 or 12.
_SHAPE = re.compile(
    r"(?P<sign>[+-]?)\s*"
    r"(?P<body>[\d.,](?:[\d.,\s]*[\d.,])?)"
    r"\s*(?P<percent>%?)"
    r"(?:\s+(?P<measure>[^\W\d_].*))?",
    re.DOTALL,
)
# Digit groups set off by spaces ("1 234 567,5"): only whole groups of three.
_SPACE_GROUPED = re.compile(r"\d{1,3}(?:\s+\d{3})+(?:,\d+)?")
# "1,234,567" or "1,234.56": English grouping, which strict Vietnamese parsing refuses.
_ENGLISH = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# A single dot Babel refused ("12.5", "0.5", "1234.567"): most likely a decimal point.
_DOT_DECIMAL = re.compile(r"\d*\.\d+")
# "5 triệu" could mean 5 (a figure in millions) or 5.000.000: never guess silently.
_MULTIPLIERS = {
    "trăm": 100,
    "tram": 100,
    "nghìn": 1000,
    "nghin": 1000,
    "ngàn": 1000,
    "ngan": 1000,
    "k": 1000,
    "triệu": 10**6,
    "trieu": 10**6,
    "tr": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
    "ty": 10**9,
}
# Characters phones and copy-paste slip in that are not whitespace to str.strip().
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})


class NumberErrorReason(StrEnum):
    """Why a reply is not accepted as a number."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    AMBIGUOUS = "ambiguous"
    WITH_WORD = "with_word"  # "5 triệu": a figure with a word for thousands, millions...
    ENGLISH_FORMAT = "english_format"
    TOO_LONG = "too_long"


class NumberError(ValueError):
    """A reply that is not a Vietnamese-format number, with what was probably meant."""

    def __init__(
        self, reason: NumberErrorReason, text: str, suggestion: Decimal | None = None
    ) -> None:
        self.reason = reason
        self.text = text[:_ERROR_TEXT_LENGTH]
        self.suggestion = suggestion
        hint = f" (maybe {suggestion})" if suggestion is not None else ""
        super().__init__(f"{reason.value}: {self.text!r}{hint}")


def parse_number(text: str) -> Decimal:
    """Read a number typed in Vietnamese format; NumberError explains a refusal."""
    if len(text) > MAX_INPUT_LENGTH:
        raise NumberError(NumberErrorReason.TOO_LONG, text)
    # NFC so that a decomposed "triệu" from some keyboards matches our word list.
    cleaned = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_MINUS_SIGNS)
    cleaned = cleaned.strip()  # str.strip() covers NBSP, narrow NBSP and thin space
    if not cleaned:
        raise NumberError(NumberErrorReason.EMPTY, text)
    match = _SHAPE.fullmatch(cleaned)
    if match is None or not any(ch.isdigit() for ch in match["body"]):
        raise NumberError(NumberErrorReason.NOT_A_NUMBER, text)
    negative = match["sign"] == "-"
    value = _parse_body(match["body"], text, negative)
    if negative and value:  # copy_negate, unlike arithmetic, never rounds; and no "-0"
        value = value.copy_negate()
    multiplier = _multiplier(match["measure"])
    if multiplier is not None:
        raise NumberError(
            NumberErrorReason.WITH_WORD, text, _drop_trailing_zeros(value * multiplier)
        )
    return value


def _parse_body(body: str, text: str, negative: bool) -> Decimal:
    """The unsigned number, or NumberError classifying what went wrong."""
    if any(ch.isspace() for ch in body):
        if not _SPACE_GROUPED.fullmatch(body):
            raise NumberError(NumberErrorReason.NOT_A_NUMBER, text)
        body = "".join(body.split())
    if body.isascii() and body.isdigit():
        # Plain digits (most answers) read the same as Babel reads them, at a fraction of
        # its cost: strict parsing formats the number back to compare, every time.
        return Decimal(body)
    try:
        # Strict parsing formats the number back to compare: as wide a context as format_number.
        with localcontext() as context:
            context.prec = _FORMAT_PRECISION
            value: Decimal = parse_decimal(body, locale=LOCALE, strict=True)
    except NumberFormatError:
        # Babel's NumberFormatError.suggestions lists the grouping-stripped reading first
        # ("12.5" -> "125"), the wrong guess for our users, so we classify ourselves.
        suggestion = _suggestion_for(body)
        if suggestion is not None and negative:
            suggestion = suggestion.copy_negate()
        raise NumberError(_reason_for(body), text, suggestion) from None
    if not value.is_finite():
        raise NumberError(NumberErrorReason.NOT_A_NUMBER, text)
    return value


def _reason_for(body: str) -> NumberErrorReason:
    if _ENGLISH.fullmatch(body):
        return NumberErrorReason.ENGLISH_FORMAT
    if _DOT_DECIMAL.fullmatch(body):
        return NumberErrorReason.AMBIGUOUS
    return NumberErrorReason.NOT_A_NUMBER


def _suggestion_for(body: str) -> Decimal | None:
    if _ENGLISH.fullmatch(body) or _DOT_DECIMAL.fullmatch(body):
        try:
            return Decimal(body.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the patterns only admit digits
            return None
    return None


def _multiplier(measure: str | None) -> int | None:
    if not measure:
        return None
    first_word = measure.split()[0].casefold()
    return _MULTIPLIERS.get(first_word)


def format_number(value: Decimal | int, places: int | None = None) -> str:
    """Write a number the Vietnamese way: 1924862 -> "1.924.862", 0.5 -> "0,5"."""
    # Every number parse_number accepts (up to 64 digits) must show back: with the default
    # precision of 28 digits quantize() raised InvalidOperation on longer ones.
    with localcontext() as context:
        context.prec = _FORMAT_PRECISION
        return _format_number(value, places)


def _format_number(value: Decimal | int, places: int | None) -> str:
    number = Decimal(value)
    if places is None:
        # Show every significant decimal, none for integers; "+ 0" turns -0 into 0.
        number = _drop_trailing_zeros(number) + 0
        if number.as_tuple().exponent == 0:
            # A whole number, as Babel writes it ("-1.924.862") without its pattern machinery,
            # which cost more than the rest of the reply to an answer.
            return f"{int(number):,}".replace(",", ".")
        return str(format_decimal(number, locale=LOCALE, decimal_quantization=False))
    number = _round(number, places)
    pattern = "#,##0." + "0" * places if places > 0 else "#,##0"
    return str(format_decimal(number, format=pattern, locale=LOCALE))


def format_percent(ratio: Decimal, places: int = 2) -> str:
    """Write a ratio as a percentage: 0.2033 -> "20,33%", rounded half up."""
    # Babel's vi pattern is "#,##0%" today, but some CLDR locales put a (narrow) no-break
    # space before "%"; the product wants "20,33%", so we format the number ourselves.
    return format_number(percent_points(ratio, places), places) + "%"


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole, or None when whole is zero."""
    if whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def percent_points(ratio: Decimal, places: int = 2) -> Decimal:
    """ratio * 100 rounded half up to `places` decimals: 42/5642 -> 0.74."""
    return _round(Decimal(ratio) * 100, places)


def _round(value: Decimal, places: int) -> Decimal:
    # Babel and Decimal round half-even by default; reports round half up (20,325 -> 20,33).
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0


def _drop_trailing_zeros(value: Decimal) -> Decimal:
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
