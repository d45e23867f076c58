"""Adding months up as each field declares: flows summed, stocks and levels last, ratios
recomputed, typed percentages never added, missing months named."""

from __future__ import annotations

from decimal import Decimal as D

from domain.aggregation import MonthFold, aggregate_answers, aggregation_of
from domain.forms import Aggregation, Field, FieldKind, FieldType, Form, Frequency
from domain.periods import Period
from domain.report import FigureSpec
from domain.report_figures import PeriodAnswers, ValueKind, read_figure
from domain.units import Unit


def _field(key: str, type_: FieldType = FieldType.INTEGER, **extra: object) -> Field:
    kind = FieldKind.TEXT if type_ is FieldType.TEXT else FieldKind.FLOW
    return Field(key, key, type_, extra.pop("kind", kind), **extra)  # type: ignore[arg-type]


FORM = Form(
    "f",
    "F",
    (
        _field("nhan"),
        _field("xong"),
        _field("ton", kind=FieldKind.STOCK, stock_of="nhan"),
        _field("dang", aggregate=Aggregation.LAST),
        _field("dinh", aggregate=Aggregation.MAX),
        _field("tb", FieldType.DECIMAL, aggregate=Aggregation.AVERAGE),
        _field("ty_le", FieldType.PERCENT, ratio_of=("xong", "nhan")),
        _field("tu_ghi", FieldType.PERCENT),
        _field("ghi_chu", FieldType.TEXT, required=False),
    ),
)
MONTHS = [Period(2025, 1), Period(2025, 2), Period(2025, 3)]


def _month(period: Period, **units: dict[str, object]) -> PeriodAnswers:
    typed = {
        unit: {
            k: D(str(v)) if isinstance(v, int | float | str) and k != "ghi_chu" else v
            for k, v in values.items()
        }
        for unit, values in units.items()
    }
    return PeriodAnswers(period, {"f": typed})  # type: ignore[dict-item]


def _answers(nhan: int, xong: int, ton: int, dang: int, tu_ghi: str, tb: str) -> dict[str, object]:
    return {
        "nhan": nhan,
        "xong": xong,
        "ton": ton,
        "dang": dang,
        "dinh": dang,
        "tb": tb,
        "ty_le": "0",
        "tu_ghi": tu_ghi,
    }


def test_defaults_come_from_what_the_form_says() -> None:
    assert aggregation_of(FORM.field("nhan")) == (Aggregation.SUM, False)
    assert aggregation_of(FORM.field("ton")) == (Aggregation.LAST, False)
    assert aggregation_of(FORM.field("dang")) == (Aggregation.LAST, False)
    assert aggregation_of(FORM.field("ty_le")) == (Aggregation.RATIO, False)
    # Guessed: a typed percentage (never added up) and a decimal flow (maybe an average).
    assert aggregation_of(FORM.field("tu_ghi")) == (Aggregation.NONE, True)
    assert aggregation_of(_field("gia", FieldType.DECIMAL)) == (Aggregation.SUM, True)


def test_a_quarter_adds_up_field_by_field() -> None:
    monthly = [
        _month(MONTHS[0], A=_answers(10, 8, 110, 2, "80", "1.5")),
        _month(MONTHS[1], A=_answers(20, 15, 130, 5, "75", "2")),
        _month(MONTHS[2], A=_answers(30, 30, 160, 1, "100", "4")),
    ]
    quarter = aggregate_answers(Period(2025, 3), monthly, {"f": FORM}, {"f": ["A"]})
    got = quarter.answers.unit_values("f", "A")
    assert got["nhan"] == 60  # 10 + 20 + 30
    assert got["xong"] == 53
    assert got["ton"] == 160  # the stock at the end
    assert got["dang"] == 1  # the level at the end of the last month, not 8
    assert got["dinh"] == 5
    assert got["tb"] == D("2.5")  # (1,5 + 2 + 4) / 3
    assert got["ty_le"] == D(53) / D(60) * 100  # recomputed, not (80 + 75 + 100) / 3
    assert got["tu_ghi"] == "01/2025: 80%; 02/2025: 75%; 03/2025: 100%"
    assert quarter.missing_months == {}


def test_a_missing_month_leaves_what_needs_it_unknown_and_names_the_month() -> None:
    monthly = [
        _month(MONTHS[0], A=_answers(10, 8, 110, 2, "80", "1"), B=_answers(1, 1, 5, 0, "90", "1")),
        _month(MONTHS[1], A=_answers(20, 15, 130, 5, "75", "1")),
        _month(
            MONTHS[2], A=_answers(30, 30, 160, 1, "100", "1"), B=_answers(3, 3, 9, 4, "95", "1")
        ),
    ]
    quarter = aggregate_answers(Period(2025, 3), monthly, {"f": FORM}, {"f": ["A", "B", "C"]})
    assert quarter.missing_months == {"B": (MONTHS[1],), "C": tuple(MONTHS)}
    b = quarter.answers.unit_values("f", "B")
    assert "nhan" not in b and "ty_le" not in b and "dinh" not in b  # not a partial sum
    assert b["ton"] == 9 and b["dang"] == 4  # what stands at the end is known
    units = [Unit("A", "Phòng A", "g", ("f",)), Unit("B", "Phòng B", "g", ("f",))]
    total = read_figure(FigureSpec("n", "f", "nhan"), FORM, quarter.answers, units)
    assert total.missing == ("B",) and not total.complete


def test_typed_percentages_of_several_units_are_never_summed() -> None:
    month = _month(
        MONTHS[0],
        A={"nhan": 200, "xong": 199, "tu_ghi": "99.5", "ty_le": "99.5"},
        B={"nhan": 100, "xong": 100, "tu_ghi": "100", "ty_le": "100"},
        C={"nhan": 300, "xong": 271, "tu_ghi": "90.3", "ty_le": "90.3"},
    )
    units = [Unit(c, c, "g", ("f",)) for c in "ABC"]
    typed = read_figure(FigureSpec("t", "f", "tu_ghi"), FORM, month, units)
    assert (typed.kind, typed.low, typed.value) == (ValueKind.PERCENT, D("90.3"), D(100))
    assert typed.number is None  # a range is not one number
    ratio = read_figure(FigureSpec("r", "f", "ty_le"), FORM, month, units)
    assert ratio.value == D(570) / D(600) * 100  # (199 + 100 + 271) / (200 + 100 + 300)
    one = read_figure(FigureSpec("t", "f", "tu_ghi", ("A",)), FORM, month, units[:1])
    assert one.value == D("99.5") and one.low is None


def test_texts_of_the_months_follow_each_other_each_line_once() -> None:
    monthly = [
        _month(MONTHS[0], A={"ghi_chu": "Duy trì hệ thống.\nTập huấn 40 người."}),
        _month(MONTHS[1], A={"ghi_chu": "Duy trì hệ thống."}),
        _month(MONTHS[2], A={"ghi_chu": "Nâng cấp máy chủ."}),
    ]
    quarter = aggregate_answers(Period(2025, 3), monthly, {"f": FORM}, {"f": ["A"]})
    assert quarter.answers.unit_values("f", "A")["ghi_chu"] == (
        "Duy trì hệ thống.\nTập huấn 40 người.\nNâng cấp máy chủ."
    )


def test_a_quarterly_form_adds_up_its_own_months_only() -> None:
    quarterly = Form("q", "Q", (_field("nhan"),), frequency=Frequency.QUARTERLY)
    months = [Period(2025, m) for m in range(1, 7)]
    monthly = [
        PeriodAnswers(Period(2025, 3), {"q": {"A": {"nhan": D(30)}, "B": {"nhan": D(1)}}}),
        PeriodAnswers(Period(2025, 6), {"q": {"A": {"nhan": D(60)}}}),
    ]
    fold = MonthFold(Period(2025, 6), {"q": quarterly}, {"q": ["A", "B"]}, months)
    for answers in monthly:
        for unit, given in answers.values["q"].items():
            fold.add(answers.period, "q", unit, given)
    half = fold.result()
    assert half.answers.unit_values("q", "A") == {"nhan": 90}
    assert half.missing_months == {"B": (Period(2025, 6),)}  # not January, February...


def _stored(**values: str | None) -> dict[str, str | None]:
    """A unit's answers as storage keeps them: every field of FORM, as text."""
    every = dict.fromkeys((f.key for f in FORM.fields), "1")
    return {**every, "ghi_chu": "x", **values}


def _typed(stored: dict[str, str | None]) -> dict[str, object]:
    return {
        k: v if k == "ghi_chu" else D(v)  # type: ignore[arg-type]
        for k, v in stored.items()
        if v is not None
    }


def test_stored_text_adds_up_exactly_as_the_typed_values_do() -> None:
    # Whole numbers are summed as ints from plain text; anything else (a cleared answer,
    # "12.0" kept by an older version, a decimal) as Decimals: the same figures either way,
    # exponent and all.
    months = [
        _stored(nhan="1000", xong="7", tb="1.5", dinh="3"),
        _stored(nhan="12.0", xong="8", tb="2", dinh="3.0"),
        _stored(nhan="5", xong=None, tb="2.25", dinh="2"),
        _stored(nhan="-0", xong="9", tb="0.50", dinh="3"),
    ]
    period = Period(2025, 4)
    span = [Period(2025, m) for m in range(1, 5)]
    typed, stored = (MonthFold(period, {"f": FORM}, {"f": ["A"]}, span) for _ in range(2))
    for month, answers in zip(span, months, strict=True):
        typed.add(month, "f", "A", _typed(answers))  # type: ignore[arg-type]
        stored.add_stored(month, "f", "A", dict(answers))
    got = stored.result().answers.unit_values("f", "A")
    assert got == typed.result().answers.unit_values("f", "A")
    assert str(got["nhan"]) == "1017.0"  # "12.0" keeps its decimal place in the sum
    assert str(got["tb"]) == "1.5625" and str(got["dinh"]) == "3"  # the first 3 of the top
    assert "xong" not in got  # cleared in March: not a partial sum


def test_plain_whole_numbers_from_storage_are_summed_as_ints() -> None:
    span = [Period(2025, m) for m in range(1, 4)]
    fold = MonthFold(Period(2025, 3), {"f": FORM}, {"f": ["A"]}, span)
    for month, nhan in zip(span, ("10", "20", "30"), strict=True):
        fold.add_stored(month, "f", "A", _stored(nhan=nhan))
    got = fold.result().answers.unit_values("f", "A")
    assert got["nhan"] == 60 and isinstance(got["nhan"], D)
    assert got["ton"] == 1 and isinstance(got["ton"], D)
