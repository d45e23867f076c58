"""An old period's tickets as they stood at its end, from today's tickets and their history;
and the moment an old period's figures take them at."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.calendar import tickets_stood_at
from domain.periods import Period, ReportingRegime
from domain.ticket_figures import UnitOverdue, compute_figures
from domain.tickets import Ticket, TicketRevision, TicketStatus, as_they_stood
from domain.units import Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HANDLED = TicketStatus.HANDLED
IN_PROGRESS = TicketStatus.IN_PROGRESS
# End of February: the office's midnight after 28/02 (a calendar-month office).
END = datetime(2022, 3, 1, tzinfo=VN)
UNITS = (
    Unit("SYT", "Sở Y tế", "Sở, ban, ngành", ("cntt",), order=1),
    Unit("P6", "UBND Phường 6", "UBND cấp xã", ("cntt",), order=2),
)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2022, month, day, hour, tzinfo=VN)


def rev(
    ticket_id: str, field: str, old: str | None, new: str | None, when: datetime
) -> TicketRevision:
    return TicketRevision(ticket_id, field, old, new, when, "test")


def created(
    ticket_id: str, when: datetime, unit: str | None = "SYT", due: str = "2022-02-10"
) -> list[TicketRevision]:
    """The revisions of a ticket's first import, in progress."""
    made = [rev(ticket_id, "status", None, "in_progress", when)]
    if unit is not None:  # an unmatched ticket's unit is no change
        made.append(rev(ticket_id, "unit_code", None, unit, when))
    return [*made, rev(ticket_id, "due_on", None, due, when)]


def ticket(ticket_id: str, **values: object) -> Ticket:
    base: dict[str, object] = {
        "id": ticket_id,
        "received_on": date(2022, 2, 1),
        "due_on": date(2022, 2, 10),
        "unit_code": "SYT",
    }
    base.update(values)
    return Ticket(**base)  # type: ignore[arg-type]


def test_an_answer_after_the_end_is_undone() -> None:
    # Overdue and in progress at the end of February, handled (in chat) in March.
    today = ticket("T1", status=HANDLED, reason=None, expected_on=None)
    history = [
        *created("T1", at(2, 1)),
        rev("T1", "expected_on", None, "2022-02-25", at(2, 20)),
        rev("T1", "reason", None, "chờ kinh phí", at(2, 20)),
        rev("T1", "status", "in_progress", "handled", at(3, 5)),
        rev("T1", "expected_on", "2022-02-25", None, at(3, 5)),
        rev("T1", "reason", "chờ kinh phí", None, at(3, 5)),
    ]
    [then] = as_they_stood([today], history, END)
    assert (then.status, then.expected_on, then.reason) == (
        IN_PROGRESS,
        date(2022, 2, 25),
        "chờ kinh phí",
    )
    assert then.is_overdue(date(2022, 2, 28))


def test_a_hand_off_after_the_end_counts_for_the_unit_that_held_it() -> None:
    today = ticket("T1", unit_code="P6")
    history = [*created("T1", at(2, 1)), rev("T1", "unit_code", "SYT", "P6", at(3, 2))]
    [then] = as_they_stood([today], history, END)
    assert then.unit_code == "SYT"
    figures = compute_figures(
        [then], UNITS, (date(2022, 2, 1), date(2022, 2, 28)), date(2022, 2, 28)
    )
    assert figures.overdue_units == (UnitOverdue("SYT", "Sở Y tế", 1),)


def test_a_due_date_moved_later_is_the_one_of_then() -> None:
    today = ticket("T1", due_on=date(2022, 3, 31))
    history = [*created("T1", at(2, 1)), rev("T1", "due_on", "2022-02-10", "2022-03-31", at(3, 3))]
    [then] = as_they_stood([today], history, END)
    assert then.due_on == date(2022, 2, 10)


def test_tickets_first_imported_after_the_end_did_not_exist() -> None:
    # Received in February, but the list holding it was imported in March.
    late = ticket("T2", received_on=date(2022, 2, 20))
    kept = ticket("T1")
    history = [*created("T1", at(2, 1)), *created("T2", at(3, 1))]
    assert as_they_stood([kept, late], history, END) == [kept]


def test_changes_before_the_end_stay_and_unrelated_revisions_are_ignored() -> None:
    today = ticket("T1", status=HANDLED)
    history = [
        *created("T1", at(2, 1)),
        rev("T1", "status", "in_progress", "handled", at(2, 27)),
        rev("T9", "status", "in_progress", "handled", at(3, 1)),  # not among the tickets
    ]
    assert as_they_stood([today], history, END) == [today]


def test_a_change_at_the_very_end_is_after_it() -> None:
    today = ticket("T1", status=HANDLED)
    history = [*created("T1", at(2, 1)), rev("T1", "status", "in_progress", "handled", END)]
    [then] = as_they_stood([today], history, END)
    assert then.status is IN_PROGRESS
    just_before = END - timedelta(microseconds=1)
    history[-1] = rev("T1", "status", "in_progress", "handled", just_before)
    assert as_they_stood([today], history, END) == [today]


def test_several_later_changes_go_back_to_the_value_before_the_first() -> None:
    today = ticket("T1", unit_code="CL", status=HANDLED)
    history = [
        *created("T1", at(2, 1)),
        rev("T1", "unit_code", "SYT", "P6", at(3, 2)),
        rev("T1", "status", "in_progress", "handled", at(3, 4)),
        rev("T1", "unit_code", "P6", "CL", at(4, 1)),
        rev("T1", "status", "handled", "in_progress", at(4, 2)),
        rev("T1", "status", "in_progress", "handled", at(4, 3)),
    ]
    [then] = as_they_stood([today], history, END)
    assert (then.unit_code, then.status) == ("SYT", IN_PROGRESS)


def test_changes_of_one_moment_are_undone_in_reverse_of_their_order() -> None:
    # One transaction: two changes of a field at the same instant (the stable order decides).
    today = ticket("T1", unit_code="CL")
    when = at(3, 2)
    history = [
        *created("T1", at(2, 1)),
        rev("T1", "unit_code", "SYT", "P6", when),
        rev("T1", "unit_code", "P6", "CL", when),
    ]
    [then] = as_they_stood([today], history, END)
    assert then.unit_code == "SYT"


def test_an_assignment_after_the_end_leaves_the_ticket_unmatched_then() -> None:
    today = ticket("T1", unit_code="SYT", suggestion=None)
    history = [*created("T1", at(2, 1), unit=None), rev("T1", "unit_code", None, "SYT", at(3, 1))]
    [then] = as_they_stood([today], history, END)
    assert then.unit_code is None
    figures = compute_figures(
        [then], UNITS, (date(2022, 2, 1), date(2022, 2, 28)), date(2022, 2, 28)
    )
    assert (figures.overdue_units, figures.unassigned_overdue) == ((), 1)


def test_without_later_changes_the_tickets_are_todays() -> None:
    tickets = [ticket("T1"), ticket("T2", status=HANDLED)]
    history = [*created("T1", at(2, 1)), *created("T2", at(2, 1))]
    assert as_they_stood(tickets, history, END) == tickets
    assert as_they_stood(tickets, [], END) == tickets  # no history at all: today's, as is


# ---------------------------------------------------------------- the moment of a period

DEFAULT = ReportingRegime()  # Trà Vinh: 02/2022 is 15/01 to 14/02, 03/2022 opens 10/03 08:00


@pytest.mark.parametrize(
    ("now", "stood_at"),
    [
        (at(2, 17, 8), None),  # units still answer 02/2022: the tickets as they are
        (datetime(2022, 3, 10, 7, 59, tzinfo=VN), None),  # the last minute before 03/2022
        (datetime(2022, 3, 10, 8, 0, tzinfo=VN), datetime(2022, 3, 10, 8, 0, tzinfo=VN)),
        (datetime(2026, 4, 1, 9, tzinfo=VN), datetime(2022, 3, 10, 8, 0, tzinfo=VN)),  # later
    ],
)
def test_an_old_period_takes_its_tickets_as_they_stood_when_it_closed(
    now: datetime, stood_at: datetime | None
) -> None:
    assert tickets_stood_at(Period(2022, 2), now, DEFAULT) == stood_at
