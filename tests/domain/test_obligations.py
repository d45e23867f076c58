"""Who owes what, and who is late."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from domain.obligations import (
    Obligation,
    ObligationState,
    can_edit,
    laggards,
    obligations_owed,
    state_on_submit,
)
from domain.periods import Period
from domain.units import Unit

FEB = Period(2022, 2)
UNITS = (
    Unit("SYT", "Sở Y tế", "so", ("phan_anh",), order=2),
    Unit("BDT", "Bưu điện tỉnh", "dn", ("buu_chinh", "phan_anh"), order=1),
    Unit("P6", "UBND Phường 6", "xa", ("phan_anh",), order=3, effective_to=date(2021, 12, 31)),
)


def test_units_in_force_owe_each_of_their_forms_in_order() -> None:
    owed = obligations_owed(UNITS, FEB, on=date(2022, 2, 14))
    assert [(o.unit_code, o.form_code) for o in owed] == [
        ("BDT", "buu_chinh"),
        ("BDT", "phan_anh"),
        ("SYT", "phan_anh"),
    ]


def test_submission_after_the_deadline_is_late() -> None:
    deadline = datetime(2022, 2, 15, 17, tzinfo=timezone(timedelta(hours=7)))
    assert state_on_submit(deadline, deadline) is ObligationState.SUBMITTED
    late = deadline + timedelta(minutes=1)
    assert state_on_submit(late, deadline) is ObligationState.SUBMITTED_LATE


def test_laggards_are_units_with_anything_outstanding() -> None:
    obligations = [
        Obligation("BDT", "buu_chinh", FEB, ObligationState.SUBMITTED),
        Obligation("BDT", "phan_anh", FEB, ObligationState.IN_PROGRESS),
        Obligation("SYT", "phan_anh", FEB, ObligationState.SUBMITTED_LATE),
        Obligation("P1", "phan_anh", FEB, ObligationState.REOPENED),
        Obligation("P2", "phan_anh", FEB, ObligationState.LOCKED),
    ]
    assert laggards(obligations) == ["BDT", "P1"]


def test_locked_obligations_cannot_be_edited() -> None:
    assert can_edit(Obligation("BDT", "buu_chinh", FEB, ObligationState.SUBMITTED))
    assert not can_edit(Obligation("BDT", "buu_chinh", FEB, ObligationState.LOCKED))
    assert not can_edit(Obligation("BDT", "buu_chinh", FEB, ObligationState.SUBMITTED, locked=True))
