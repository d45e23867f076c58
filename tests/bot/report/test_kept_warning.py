"""A draft lists the unusual figures a unit kept, with the unit's explanation."""

from __future__ import annotations

from decimal import Decimal as D

from bot.report.warning_text import warning_text
from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report_checks import WarningKind, form_warnings, kept_warnings
from domain.report_figures import PeriodAnswers
from domain.units import Unit

FORM = Form(
    code="cts",
    title="Chứng thư số",
    fields=(Field("moi", "Cấp mới?", FieldType.INTEGER, FieldKind.FLOW, label="cấp mới"),),
)
UNIT = Unit("SYT", "Sở Y tế", "so_nganh", ("cts",))


def test_a_kept_tenfold_value_is_listed_with_its_explanation() -> None:
    why = {("cts", "SYT", "moi"): "Đợt cấp cho toàn ngành"}
    current = PeriodAnswers(Period(2022, 2), {"cts": {"SYT": {"moi": D(370)}}}, why)
    before = PeriodAnswers(Period(2022, 1), {"cts": {"SYT": {"moi": D(10)}}})
    found = form_warnings({"cts": FORM}, [UNIT], current, before)
    (kept,) = kept_warnings({"cts": FORM}, [UNIT], current, before, found)
    assert kept.kind is WarningKind.KEPT
    assert kept.explanation == "Đợt cấp cho toàn ngành"
    assert warning_text(kept) == (
        "«cấp mới» là 370, kỳ trước 10: số khác thường, đơn vị xác nhận là đúng"
    )


def test_figures_without_an_explanation_are_not_listed() -> None:
    # The same tenfold value as above: only its explanation is missing (another unit's is
    # there, so the check per figure is what leaves it out).
    other = {("cts", "BDT", "moi"): "Không liên quan"}
    current = PeriodAnswers(Period(2022, 2), {"cts": {"SYT": {"moi": D(370)}}}, other)
    before = PeriodAnswers(Period(2022, 1), {"cts": {"SYT": {"moi": D(10)}}})
    found = form_warnings({"cts": FORM}, [UNIT], current, before)
    assert kept_warnings({"cts": FORM}, [UNIT], current, before, found) == []
