"""A draft warns about parts that already exceed their total even when a part is missing
(an optional part skipped), citing the numbers in Vietnamese."""

from __future__ import annotations

from decimal import Decimal as D

from bot.report.warning_text import warning_text
from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report_checks import WarningKind, form_warnings
from domain.report_figures import PeriodAnswers
from domain.units import Unit


def _count(key: str, label: str, **extra: object) -> Field:
    return Field(
        key=key,
        question=f"{label}?",
        type=FieldType.INTEGER,
        kind=FieldKind.FLOW,
        label=label,
        min=D(0),
        **extra,  # type: ignore[arg-type]
    )


DOCUMENTS = Form(
    code="vb",
    title="Văn bản đi",
    fields=(
        _count("vb_di", "văn bản đi", parts=("ky_so", "giay")),
        _count("ky_so", "văn bản đi ký số"),
        _count("giay", "văn bản đi kèm bản giấy", required=False),
    ),
)
UNIT = Unit("TTCNTT", "Trung tâm CNTT-TT", "truc_thuoc", ("vb",))


def _warnings(values: dict[str, D]) -> list[str]:
    answers = PeriodAnswers(Period(2022, 2), {"vb": {"TTCNTT": values}})
    before = PeriodAnswers(Period(2022, 1), {})
    found = form_warnings({"vb": DOCUMENTS}, [UNIT], answers, before)
    assert all(w.kind is WarningKind.PARTS_OVER for w in found)
    return [warning_text(w) for w in found]


def test_a_part_over_its_total_is_warned_about_with_a_part_missing() -> None:
    assert _warnings({"vb_di": D(12), "ky_so": D(1234)}) == [
        "«văn bản đi» là 12, nhưng riêng «văn bản đi ký số» đã là 1.234"
        " (còn thiếu số liệu các phần khác)"
    ]


def test_parts_within_their_total_are_not_warned_about() -> None:
    assert _warnings({"vb_di": D(12), "ky_so": D(10)}) == []
