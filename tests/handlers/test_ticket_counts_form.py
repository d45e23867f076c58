"""The starter's ticket-counts form (for units without an imported list): overdue may not
exceed in progress, said in Vietnamese in chat and in the draft's warnings."""

from __future__ import annotations

from decimal import Decimal as D

from bot.report.warning_text import warning_text
from bot.workspace.forms_file import load_forms
from domain.periods import Period
from domain.report_checks import WarningKind, form_warnings
from domain.report_figures import PeriodAnswers
from domain.units import Unit
from domain.validation import check_consistency
from handlers.display import describe_problem
from tests.support.paths import STARTER

FORMS = load_forms(STARTER / "forms")
COUNTS = FORMS["phananh"]
TOO_MANY_OVERDUE = {"tiep_nhan": D(10), "da_xu_ly": D(6), "dang_xu_ly": D(4), "qua_han": D(5)}


def test_the_chat_says_overdue_may_not_exceed_in_progress() -> None:
    (problem,) = check_consistency(COUNTS, TOO_MANY_OVERDUE, {})
    assert describe_problem(COUNTS, problem) == (
        "«phiếu quá hạn» là 5, nhiều hơn «phiếu đang xử lý» (4); "
        "«phiếu quá hạn» không được vượt quá «phiếu đang xử lý»"
    )


def test_the_draft_warns_about_it() -> None:
    unit = Unit("P6TV", "UBND Phường 6", "xa", ("phananh",))
    answers = PeriodAnswers(Period(2022, 2), {"phananh": {"P6TV": TOO_MANY_OVERDUE}})
    (warning,) = form_warnings(FORMS, [unit], answers, PeriodAnswers(Period(2022, 1), {}))
    assert warning.kind is WarningKind.BOUND and warning.unit_code == "P6TV"
    assert warning_text(warning) == "«phiếu quá hạn» là 5, nhiều hơn «phiếu đang xử lý» (4)"
