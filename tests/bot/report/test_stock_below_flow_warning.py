"""A draft warns about a cumulative figure smaller than the period's own flow, even in the
first period (no previous cumulative to carry over)."""

from __future__ import annotations

from decimal import Decimal as D

from bot.report.warning_text import warning_text
from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report_checks import WarningKind, form_warnings
from domain.report_figures import PeriodAnswers
from domain.units import Unit

CERTIFICATES = Form(
    code="cts",
    title="Chứng thư số",
    fields=(
        Field("moi", "Cấp mới?", FieldType.INTEGER, FieldKind.FLOW, label="cấp mới"),
        Field(
            "luy_ke", "Lũy kế?", FieldType.INTEGER, FieldKind.STOCK, label="lũy kế", stock_of="moi"
        ),
    ),
)
UNIT = Unit("SYT", "Sở Y tế", "so_nganh", ("cts",))


def test_a_cumulative_below_the_flow_is_warned_about() -> None:
    answers = PeriodAnswers(Period(2022, 2), {"cts": {"SYT": {"moi": D(5), "luy_ke": D(3)}}})
    before = PeriodAnswers(Period(2022, 1), {})
    (warning,) = form_warnings({"cts": CERTIFICATES}, [UNIT], answers, before)
    assert warning.kind is WarningKind.STOCK_BELOW_FLOW
    assert warning_text(warning) == (
        "«lũy kế» là 3, ít hơn «cấp mới» trong kỳ (5), dù đã gồm cả số trong kỳ"
    )
