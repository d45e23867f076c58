"""Parts that must add up and stocks that must carry over."""

from __future__ import annotations

from decimal import Decimal as D

from domain.forms import Field, FieldKind, FieldType, Form
from domain.validation import (
    PREVIOUS_STOCK,
    Inconsistency,
    InconsistencyKind,
    check_bounds,
    check_consistency,
    check_parts,
    check_stocks,
    missing_required,
)


def _number(key: str, kind: FieldKind = FieldKind.FLOW, **extra: object) -> Field:
    return Field(key=key, question=key, type=FieldType.INTEGER, kind=kind, **extra)  # type: ignore[arg-type]


# The sample report's digital certificates: 472 for organisations + 1.914 for persons,
# yet the total says 2.361; and a stock that must be last month's plus the new ones.
CERTIFICATES = Form(
    code="cts",
    title="Chứng thư số",
    fields=(
        _number("cap_moi"),
        _number("tong", FieldKind.STOCK, parts=("to_chuc", "ca_nhan"), stock_of="cap_moi"),
        _number("to_chuc", FieldKind.STOCK),
        _number("ca_nhan", FieldKind.STOCK),
        Field("ghi_chu", "Ghi chú", FieldType.TEXT, FieldKind.TEXT, required=False),
    ),
)


def test_parts_that_do_not_add_up_name_every_number() -> None:
    values = {"tong": D(2361), "to_chuc": D(472), "ca_nhan": D(1914)}
    assert check_parts(CERTIFICATES, values) == [
        Inconsistency(
            InconsistencyKind.PARTS,
            "tong",
            expected=D(2386),
            actual=D(2361),
            terms=(("to_chuc", D(472)), ("ca_nhan", D(1914))),
        )
    ]


def test_parts_that_add_up_are_fine() -> None:
    values = {"tong": D(2386), "to_chuc": D(472), "ca_nhan": D(1914)}
    assert check_parts(CERTIFICATES, values) == []


def test_parts_are_not_judged_before_every_part_is_known() -> None:
    assert check_parts(CERTIFICATES, {"tong": D(2361), "to_chuc": D(472)}) == []


# The same certificates, with parts that cannot be negative (min = 0, as the forms say).
COUNTED = Form(
    code="cts",
    title="Chứng thư số",
    fields=(
        _number("tong", parts=("to_chuc", "ca_nhan"), min=D(0)),
        _number("to_chuc", min=D(0)),
        _number("ca_nhan", min=D(0)),
    ),
)


def test_a_part_over_its_total_is_known_before_the_other_parts() -> None:
    # "1.234" typed for 12 organisations: no part still to come can make it add up.
    assert check_parts(COUNTED, {"tong": D(12), "to_chuc": D(1234)}) == [
        Inconsistency(
            InconsistencyKind.PARTS_OVER,
            "tong",
            expected=D(1234),
            actual=D(12),
            terms=(("to_chuc", D(1234)),),
        )
    ]


def test_parts_up_to_their_total_are_not_judged_early() -> None:
    assert check_parts(COUNTED, {"tong": D(12), "to_chuc": D(12)}) == []
    assert check_parts(COUNTED, {"tong": D(12)}) == []


def test_parts_over_is_not_said_when_a_missing_part_could_be_negative() -> None:
    # CERTIFICATES' parts have no minimum: a negative part could still bring the sum down.
    assert check_parts(CERTIFICATES, {"tong": D(12), "to_chuc": D(1234)}) == []


def test_once_every_part_is_known_the_full_sum_is_judged_instead() -> None:
    (problem,) = check_parts(COUNTED, {"tong": D(12), "to_chuc": D(1234), "ca_nhan": D(0)})
    assert problem.kind is InconsistencyKind.PARTS and problem.expected == D(1234)


def test_a_part_bounded_by_its_total_is_one_problem_not_two() -> None:
    bounded = Form(
        code="cts",
        title="Chứng thư số",
        fields=(
            _number("tong", parts=("to_chuc", "ca_nhan"), min=D(0)),
            _number("to_chuc", min=D(0), at_most="tong"),
            _number("ca_nhan", min=D(0)),
        ),
    )
    (problem,) = check_consistency(bounded, {"tong": D(12), "to_chuc": D(1234)}, {})
    assert (problem.kind, problem.field_key) == (InconsistencyKind.BOUND, "to_chuc")


def test_stock_must_be_last_stock_plus_flow() -> None:
    values = {"tong": D(2361), "cap_moi": D(259)}
    problems = check_stocks(CERTIFICATES, values, previous={"tong": D(2100)})
    assert problems == [
        Inconsistency(
            InconsistencyKind.STOCK,
            "tong",
            expected=D(2359),
            actual=D(2361),
            terms=((PREVIOUS_STOCK, D(2100)), ("cap_moi", D(259))),
        )
    ]
    assert problems[0].difference == D(2)
    assert problems[0].involved == ("tong", PREVIOUS_STOCK, "cap_moi")


def test_stock_is_not_judged_without_last_period() -> None:
    assert check_stocks(CERTIFICATES, {"tong": D(2361), "cap_moi": D(259)}, previous={}) == []
    assert check_stocks(CERTIFICATES, {"tong": D(5), "cap_moi": D(5)}, previous={}) == []


def test_a_stock_below_its_own_flow_is_flagged_without_last_period() -> None:
    problems = check_stocks(CERTIFICATES, {"tong": D(3), "cap_moi": D(5)}, previous={})
    assert problems == [
        Inconsistency(
            InconsistencyKind.STOCK_BELOW_FLOW,
            "tong",
            expected=D(5),
            actual=D(3),
            terms=(("cap_moi", D(5)),),
        )
    ]


def test_consistency_lists_both_kinds_in_field_order() -> None:
    values = {"tong": D(2361), "cap_moi": D(259), "to_chuc": D(472), "ca_nhan": D(1914)}
    problems = check_consistency(CERTIFICATES, values, previous={"tong": D(2100)})
    assert [(p.field_key, p.kind) for p in problems] == [
        ("tong", InconsistencyKind.PARTS),
        ("tong", InconsistencyKind.STOCK),
    ]


def test_missing_required_ignores_optional_fields() -> None:
    answered = {"cap_moi": D(1), "tong": None}
    assert missing_required(CERTIFICATES, answered) == ["tong", "to_chuc", "ca_nhan"]


# A unit's ticket counts: handled + in progress = received, overdue <= in progress.
TICKETS = Form(
    code="phananh",
    title="Phiếu phản ánh",
    fields=(
        _number("tiep_nhan", parts=("da_xu_ly", "dang_xu_ly")),
        _number("da_xu_ly"),
        _number("dang_xu_ly"),
        _number("qua_han", at_most="dang_xu_ly"),
    ),
)


def test_overdue_may_not_exceed_in_progress() -> None:
    values = {"tiep_nhan": D(10), "da_xu_ly": D(6), "dang_xu_ly": D(4), "qua_han": D(5)}
    problem = Inconsistency(InconsistencyKind.BOUND, "qua_han", D(4), D(5), (("dang_xu_ly", D(4)),))
    assert check_bounds(TICKETS, values) == [problem]
    assert check_consistency(TICKETS, values, {}) == [problem]
    assert problem.involved == ("qua_han", "dang_xu_ly")
    assert check_bounds(TICKETS, {**values, "qua_han": D(4)}) == []
    assert check_bounds(TICKETS, {"qua_han": D(5)}) == []  # in progress not known yet


def test_ticket_counts_that_do_not_add_up() -> None:
    values = {"tiep_nhan": D(10), "da_xu_ly": D(6), "dang_xu_ly": D(3), "qua_han": D(0)}
    (problem,) = check_consistency(TICKETS, values, {})
    assert problem.kind is InconsistencyKind.PARTS and problem.expected == D(9)
