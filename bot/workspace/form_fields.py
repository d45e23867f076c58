"""One [[fields]] table of a form file, read into a draft: its keys checked one by one.

The checks that need the whole form (duplicate keys, parts and stock_of naming other
fields, cycles) are bot/workspace/forms_file.py's, on these drafts.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, TypeVar

from bot.workspace.toml_reader import REQUIRED, TableReader
from domain.forms import (
    FIELD_KEY_MAX,
    MAX_DIGITS,
    PLAUSIBLE_FLOOR,
    PLAUSIBLE_RATIO,
    Aggregation,
    Field,
    FieldKind,
    FieldType,
)

FIELD_KEY: Final = re.compile(r"^[a-z][a-z0-9_]*$")

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass(slots=True)
class FieldDraft:
    """A field as read, before the relations between fields can be checked."""

    reader: TableReader
    key: str
    type: FieldType | None
    kind: FieldKind | None
    parts: tuple[str, ...]
    stock_of: str
    built: Field | None
    at_most: str = ""
    ratio_of: tuple[str, ...] = ()


def read_field(r: TableReader) -> FieldDraft:
    """Read one [[fields]] table; relations to other fields are checked afterwards."""
    before = len(r.problems)
    key = r.text("key", example="vb_di", empty=False)
    if key and not FIELD_KEY.match(key):
        r.problem("key", "bad_field_key", value=key)
    elif len(key) > FIELD_KEY_MAX:
        r.problem("key", "field_key_too_long", value=key, limit=FIELD_KEY_MAX)
    elif key:
        r.prefix = key  # from here on, problems name the field by its key
    question = r.text("question", example="Tổng số văn bản đi trong tháng?", empty=False)
    label = r.text("label", "", example="văn bản đi")
    field_type = _field_type(r)
    kind = _field_kind(r)
    if kind is None and field_type is not None and not r.has("kind"):
        kind = FieldKind.FLOW if field_type.is_numeric else FieldKind.TEXT
    elif kind is not None and field_type is not None:
        numeric_kind = kind in (FieldKind.FLOW, FieldKind.STOCK)
        if numeric_kind != field_type.is_numeric:
            r.problem(
                "kind",
                "kind_for_type",
                kind=kind.value,
                type=field_type.value,
                allowed="flow, stock" if field_type.is_numeric else "text",
            )
    measure = r.text("measure", "", example="văn bản")
    required = r.boolean("required", True)
    numeric = field_type is not None and field_type.is_numeric
    low = _only_for(r, "min", numeric, field_type, r.decimal)
    high = _only_for(r, "max", numeric, field_type, r.decimal)
    if low is not None and high is not None and low > high:
        r.problem("min", "min_gt_max", low=_plain(low), high=_plain(high))
    max_digits = _only_for(
        r,
        "max_digits",
        numeric,
        field_type,
        lambda k: r.integer(k, MAX_DIGITS, low=1, high=28, example=MAX_DIGITS),
    )
    ratio = _only_for(r, "plausible_ratio", numeric, field_type, r.decimal)
    if ratio is not None and ratio != 0 and ratio <= 1:
        r.problem("plausible_ratio", "plausible_ratio_range", value=_plain(ratio))
    plausible_max = _only_for(r, "plausible_max", numeric, field_type, r.decimal)
    floor = _only_for(r, "plausible_floor", numeric, field_type, r.decimal)
    if floor is not None and floor < 0:
        r.problem("plausible_floor", "plausible_floor_range", value=_plain(floor))
    is_choice = field_type is FieldType.CHOICE
    choices = _only_for(
        r, "choices", is_choice, field_type, lambda k: r.texts(k, (), example='["Có", "Không"]')
    )
    if is_choice and not choices:
        r.problem("choices", "choices_missing")
    is_text = field_type is FieldType.TEXT
    max_length = _only_for(
        r, "max_length", is_text, field_type, lambda k: r.integer(k, 2000, low=1, example=2000)
    )
    parts = r.texts("parts", (), example='["vb_di_ky_so", "vb_di_giay"]')
    stock_of = r.text("stock_of", "", example="vb_moi")
    at_most = r.text("at_most", "", example="dang_xu_ly")
    aggregate = _only_for(r, "aggregate", numeric, field_type, lambda k: _aggregation(r, k))
    is_percent = field_type is FieldType.PERCENT
    ratio_of = _only_for(
        r, "ratio_of", is_percent, field_type, lambda k: _ratio_of(r, k, aggregate)
    )
    if is_percent and aggregate in (Aggregation.SUM, Aggregation.AVERAGE):
        r.problem("aggregate", "percent_added", value=aggregate.value if aggregate else "")
    r.finish()
    built = None
    if len(r.problems) == before and field_type is not None and kind is not None:
        built = Field(
            key=key,
            question=question,
            type=field_type,
            kind=kind,
            label=label,
            measure=measure,
            required=required,
            min=low,
            max=high,
            choices=choices or (),
            parts=parts,
            stock_of=stock_of or None,
            at_most=at_most or None,
            max_length=max_length or 2000,
            max_digits=max_digits or MAX_DIGITS,
            plausible_ratio=PLAUSIBLE_RATIO if ratio is None else ratio,
            plausible_max=plausible_max,
            aggregate=aggregate,
            ratio_of=(ratio_of[0], ratio_of[1]) if ratio_of and len(ratio_of) == 2 else None,
            plausible_floor=PLAUSIBLE_FLOOR if floor is None else floor,
        )
    return FieldDraft(r, key, field_type, kind, parts, stock_of, built, at_most, ratio_of or ())


def _aggregation(r: TableReader, key: str) -> Aggregation | None:
    """The declared aggregation: sum, last, max, average or none (ratio is implied)."""
    value = r.text(key, "", example="sum")
    if value == Aggregation.RATIO.value:
        r.problem(key, "aggregate_ratio")
        return None
    return _member(r, key, value, Aggregation) if value else None


def _ratio_of(r: TableReader, key: str, aggregate: Aggregation | None) -> tuple[str, ...]:
    """A percentage's numerator and denominator fields (checked against the form later)."""
    terms = r.texts(key, (), example='["hs_dung_han", "hs_giai_quyet"]')
    if len(terms) != 2:
        r.problem(key, "ratio_of_terms")
    elif aggregate is not None:
        r.problem(key, "ratio_of_aggregate")
    return terms


def _field_type(r: TableReader) -> FieldType | None:
    """The field's type (required); None, with a problem, if missing or unknown."""
    value = r.text("type", REQUIRED, example="integer", empty=False)
    return _member(r, "type", value, FieldType) if value else None


def _field_kind(r: TableReader) -> FieldKind | None:
    """The field's kind if set; None if absent or unknown (a problem for the latter)."""
    value = r.text("kind", "", example="flow")
    return _member(r, "kind", value, FieldKind) if value else None


def _member(r: TableReader, key: str, value: str, enum: type[E]) -> E | None:
    try:
        return enum(value)
    except ValueError:
        allowed = [e.value for e in enum]
        close = difflib.get_close_matches(value, allowed, n=1)
        r.problem(
            key,
            f"bad_field_{key}",
            value=value,
            allowed=", ".join(allowed),
            suggestion=close[0] if close else "",
        )
        return None


def _only_for(
    r: TableReader,
    key: str,
    allowed: bool,
    field_type: FieldType | None,
    read: Callable[[str], T],
) -> T | None:
    """A key that only some types take (min for numbers, choices for choice...)."""
    if not r.has(key):
        return None
    if not allowed:
        if field_type is not None:
            r.problem(key, "key_not_for_type", target=key, type=field_type.value)
        return None
    return read(key)


def _plain(number: Decimal) -> str:
    """A number as it is written in the TOML file (not in Vietnamese notation)."""
    return format(number.normalize(), "f")
