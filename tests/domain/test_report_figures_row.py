"""A row of figures of one form read in one pass over the units (the dashboard's totals):
each figure as it is read alone, sums, gaps, ranges and silent optional texts alike."""

from __future__ import annotations

from decimal import Decimal as D

from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report import FigureSpec
from domain.report_figures import PeriodAnswers, ValueKind, read_figures
from domain.units import Unit

FORM = Form(
    "f",
    "F",
    (
        Field("nhan", "Nhận?", FieldType.INTEGER, FieldKind.FLOW),
        Field("xong", "Xong?", FieldType.INTEGER, FieldKind.FLOW),
        Field("tu_ghi", "Tỷ lệ?", FieldType.PERCENT, FieldKind.FLOW),
        Field("ghi_chu", "Ghi chú?", FieldType.TEXT, FieldKind.TEXT, required=False),
    ),
)
UNITS = [Unit(code, f"Phòng {code}", "g", ("f",)) for code in "ABC"]


def test_a_row_of_figures_read_in_one_pass() -> None:
    answers = PeriodAnswers(
        Period(2025, 1),
        {
            "f": {
                "A": {"nhan": D(200), "xong": D(199), "tu_ghi": D("99.5"), "ghi_chu": "Ổn định."},
                "B": {"nhan": D(100), "tu_ghi": D("90.3")},  # no note: nothing to say
                # C sent nothing: a gap in every figure
            }
        },
    )
    specs = [FigureSpec(key, "f", key) for key in ("nhan", "xong", "tu_ghi", "ghi_chu")]
    nhan, xong, tu_ghi, ghi_chu = read_figures(FORM, specs, answers, UNITS)
    assert (nhan.value, nhan.missing) == (D(300), ("C",))
    assert (xong.value, xong.missing) == (D(199), ("B", "C"))
    assert (tu_ghi.kind, tu_ghi.low, tu_ghi.value) == (ValueKind.PERCENT, D("90.3"), D("99.5"))
    assert (ghi_chu.value, ghi_chu.missing) == ("Ổn định.", ("C",))
    assert read_figures(FORM, [], answers, UNITS) == []
