"""related_fields: the fields the consistency checks read, so that a report of thousands of
units checks only those and finds exactly the same problems."""

from __future__ import annotations

import random
from decimal import Decimal

from bot.workspace.forms_file import load_forms
from domain.forms import Field, FieldKind, FieldType, Form
from domain.validation import check_consistency, related_fields
from tests.support.sample_data import SAMPLE


def number(key: str, **kw: object) -> Field:
    return Field(key, f"{key}?", FieldType.INTEGER, FieldKind.FLOW, **kw)  # type: ignore[arg-type]


def test_parts_stocks_and_bounds_are_related_nothing_else() -> None:
    form = Form(
        "f",
        "F",
        (
            number("total", parts=("a", "b")),
            number("a"),
            number("b"),
            number("stock", stock_of="flow"),
            number("flow"),
            number("overdue", at_most="open"),
            number("open"),
            number("alone"),
        ),
    )
    assert related_fields(form) == {"total", "a", "b", "stock", "flow", "overdue", "open"}
    assert related_fields(Form("g", "G", (number("x"), number("y")))) == frozenset()


def test_checking_only_the_related_fields_finds_the_same_problems() -> None:
    forms = load_forms(SAMPLE / "forms")
    assert any(related_fields(form) for form in forms.values())
    rng = random.Random(6)
    found = 0
    for form in forms.values():
        keys = related_fields(form)
        for _ in range(200):
            values = {f.key: Decimal(rng.randint(0, 9)) for f in form.fields}
            previous = {f.key: Decimal(rng.randint(0, 9)) for f in form.fields}
            every = check_consistency(form, values, previous)
            related = check_consistency(
                form,
                {k: v for k, v in values.items() if k in keys},
                {k: v for k, v in previous.items() if k in keys},
            )
            assert related == every
            found += len(every)
    assert found  # the comparison saw problems, not only empty lists
