"""Report figures and checks on small hand-made data: sums, gaps, ratios, changes of a
percentage, year-to-date totals, cross-unit totals, document dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report import CheckSpec, DerivedKind, DerivedSpec, FigureSpec, ReportSpec
from domain.report_checks import WarningKind, cross_unit_warnings, ratio_warnings
from domain.report_dates import document_day, document_month
from domain.report_figures import FigureBook, PeriodAnswers, ValueKind
from domain.units import Unit

JAN, FEB = Period(2022, 1), Period(2022, 2)
FORM = Form(
    "f",
    "F",
    (
        Field("a", "a?", FieldType.INTEGER, FieldKind.FLOW),
        Field("b", "b?", FieldType.INTEGER, FieldKind.FLOW),
        Field("p", "p?", FieldType.PERCENT, FieldKind.FLOW),
    ),
)
UNITS = (Unit("X", "Xã X", "xa", ("f",), 1), Unit("Y", "Xã Y", "xa", ("f",), 2))


def _d(value: str) -> Decimal:
    return Decimal(value)


def _book(spec: ReportSpec, feb: dict[str, dict[str, Decimal]]) -> FigureBook:
    history = {
        JAN: PeriodAnswers(JAN, {"f": {"X": {"a": _d("20189"), "b": _d("100000")}}}),
        FEB: PeriodAnswers(FEB, {"f": feb}),
    }
    return FigureBook(spec, {"f": FORM}, UNITS, history, lambda p: date(p.year, p.month, 14))


SPEC = ReportSpec(
    sections=(),
    items=(),
    figures={
        "a": FigureSpec("a", "f", "a", ("X",)),
        "b": FigureSpec("b", "f", "b", ("X",)),
        "p": FigureSpec("p", "f", "p", ("X",)),
        "all_a": FigureSpec("all_a", "f", "a", group="xa"),
    },
    derived={
        "r": DerivedSpec("r", DerivedKind.RATIO, ("a", "b"), stated="p"),
        "dr": DerivedSpec("dr", DerivedKind.CHANGE, ("r",)),
        "da": DerivedSpec("da", DerivedKind.CHANGE, ("a",)),
        "ytd": DerivedSpec("ytd", DerivedKind.YEAR_TO_DATE, ("a",)),
    },
    checks=(CheckSpec("a", ("all_a",)),),
)


def test_ratio_change_in_points_as_printed_and_year_to_date() -> None:
    book = _book(SPEC, {"X": {"a": _d("20520"), "b": _d("100000"), "p": _d("20.52")}})
    assert book.get("r", FEB).value == Decimal("0.2052")
    change = book.get("dr", FEB)
    assert (change.kind, change.value) == (ValueKind.POINTS, Decimal("0.33"))  # 20,52 - 20,19
    assert book.get("da", FEB).value == Decimal(331)
    assert book.get("ytd", FEB).value == Decimal(40709)


def test_a_unit_missing_makes_a_partial_sum_and_a_gap() -> None:
    book = _book(SPEC, {"X": {"a": _d("5")}})
    total = book.get("all_a", FEB)
    assert (total.value, total.missing, total.complete) == (Decimal(5), ("Y",), False)
    ratio = book.get("r", FEB)
    assert ratio.value is None and not ratio.complete


def test_change_without_the_previous_period_says_so() -> None:
    book = _book(SPEC, {"X": {"a": _d("5"), "b": _d("10")}})
    before = book.get("dr", Period(2022, 1))  # December 2021 is not in the data
    assert before.value is None and before.previous_missing


@pytest.mark.parametrize(("stated", "warned"), [("20.52", False), ("20.5", False), ("20.53", True)])
def test_stated_ratio_checked_at_the_typed_precision(stated: str, warned: bool) -> None:
    feb = {"X": {"a": _d("20520"), "b": _d("100000"), "p": _d(stated)}}
    book = _book(SPEC, feb)
    found = ratio_warnings(SPEC, {"f": FORM}, book, PeriodAnswers(FEB, {"f": feb}))
    assert bool(found) is warned
    if warned:
        assert found[0].kind is WarningKind.RATIO
        assert (found[0].expected, found[0].actual) == (Decimal("20.52"), Decimal("20.53"))


def test_cross_unit_total() -> None:
    book = _book(SPEC, {"X": {"a": _d("5")}, "Y": {"a": _d("3")}})
    [warning] = cross_unit_warnings(SPEC, {"f": FORM}, book, FEB)
    assert (warning.expected, warning.actual, warning.unit_code) == (Decimal(8), Decimal(5), "X")


@pytest.mark.parametrize(("month", "shown"), [(1, "01"), (2, "02"), (3, "3"), (10, "10")])
def test_document_month(month: int, shown: str) -> None:
    assert document_month(month) == shown


def test_document_day() -> None:
    assert (document_day(5), document_day(15)) == ("05", "15")
