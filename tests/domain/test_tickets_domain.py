"""Ticket rules: cleaning texts, statuses, channels, overdue, import merging, figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.ticket_figures import (
    PendingUnit,
    UnitOverdue,
    compute_figures,
    overdue_by_unit,
    pending_units,
)
from domain.ticket_import import ImportedTicket, merge_import, status_from_text
from domain.tickets import ELLIPSIS, Ticket, TicketStatus, changes, channel_key, clean_text
from tests.support.tickets_helpers import NOW, TODAY, UNITS, WINDOW, ticket

HANDLED = TicketStatus.HANDLED
IN_PROGRESS = TicketStatus.IN_PROGRESS
HANDLED_TEXTS = ("Đã xử lý", "Hoàn thành")


# ---------------------------------------------------------------- texts


def test_clean_text_removes_control_and_invisible_characters() -> None:
    assert clean_text("Ab\x00c\x07\u202ed\u200b\ufeff", 50) == "Abcd"
    assert clean_text("  a\t\tb \r\n c  ", 50) == "a b c"
    assert clean_text("dòng 1\r\n\n\x0bdòng   2", 50, multiline=True) == "dòng 1\ndòng 2"


def test_clean_text_composes_decomposed_vietnamese() -> None:
    decomposed = "Phu\u031bo\u031b\u0300ng"  # "Phường" typed with combining marks
    assert clean_text(decomposed, 50) == "Phường"


def test_clean_text_cuts_long_text_with_an_ellipsis() -> None:
    cut = clean_text("x" * 5000, 100)
    assert len(cut) == 100
    assert cut.endswith(ELLIPSIS)


def test_a_formula_stays_plain_text() -> None:
    assert clean_text('=HYPERLINK("http://x", "bấm")', 100) == '=HYPERLINK("http://x", "bấm")'


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Đã xử lý", HANDLED),
        ("ĐÃ XỬ LÝ XONG", HANDLED),
        ("da xu ly", HANDLED),
        ("Hoàn thành", HANDLED),
        ("Đang xử lý", IN_PROGRESS),
        ("Chưa xử lý", IN_PROGRESS),
        ("Quá hạn", IN_PROGRESS),
        ("", IN_PROGRESS),
    ],
)
def test_status_from_the_export(text: str, status: TicketStatus) -> None:
    assert status_from_text(text, HANDLED_TEXTS) is status


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Tổng đài 1022", "hotline"),
        ("Điện thoại", "hotline"),
        ("Trực tiếp", "in_person"),
        ("Ứng dụng Trà Vinh S", "app"),
        ("Ứng dụng Zalo", "zalo"),
        ("Website", "web"),
        ("Cổng thông tin điện tử tỉnh", "web"),
        ("Thư điện tử", "mail"),
        ("Email", "mail"),
        ("Fanpage Facebook", "facebook"),
        ("Báo chí", "other"),
        ("", "other"),
    ],
)
def test_channel_keys(text: str, key: str) -> None:
    assert channel_key(text) == key


# ---------------------------------------------------------------- overdue


def test_overdue_starts_the_day_after_the_due_date() -> None:
    t = ticket("1", date(2022, 1, 20), due=date(2022, 2, 10))
    assert not t.is_overdue(date(2022, 2, 10))
    assert t.is_overdue(date(2022, 2, 11))
    assert t.days_overdue(date(2022, 2, 14)) == 4
    assert t.days_overdue(date(2022, 2, 9)) == 0


def test_handled_or_undated_tickets_are_never_overdue() -> None:
    assert not ticket("1", date(2022, 1, 1), due=date(2022, 1, 2), status=HANDLED).is_overdue(TODAY)
    assert (
        ticket("1", date(2022, 1, 1), due=date(2022, 1, 2), status=HANDLED).days_overdue(TODAY) == 0
    )
    assert not ticket("2", date(2022, 1, 1), due=None).is_overdue(TODAY)


# ---------------------------------------------------------------- import merging


def row(**overrides: object) -> ImportedTicket:
    values: dict[str, object] = {
        "line": 2,
        "id": "PA-1",
        "received_on": date(2022, 2, 1),
        "status": IN_PROGRESS,
        "channel": "Tổng đài 1022",
        "due_on": date(2022, 2, 10),
        "unit_text": "UBND P.6",
        "unit_code": "P6TV",
        "summary": "Đèn đường hỏng",
        "source_status": "Đang xử lý",
    }
    values.update(overrides)
    return ImportedTicket(**values)  # type: ignore[arg-type]


def test_a_new_ticket_takes_everything_from_the_row() -> None:
    new = merge_import(None, row())
    assert new == Ticket(
        id="PA-1",
        received_on=date(2022, 2, 1),
        status=IN_PROGRESS,
        channel="Tổng đài 1022",
        due_on=date(2022, 2, 10),
        unit_code="P6TV",
        unit_text="UBND P.6",
        summary="Đèn đường hỏng",
        source_status="Đang xử lý",
    )
    assert changes(None, new) == [
        ("status", None, "in_progress"),
        ("unit_code", None, "P6TV"),
        ("due_on", None, "2022-02-10"),
    ]


def test_a_unit_answer_survives_reimporting_the_same_status() -> None:
    stored = Ticket(
        "PA-1",
        date(2022, 2, 1),
        HANDLED,
        unit_code="P6TV",
        unit_text="UBND P.6",
        source_status="Đang xử lý",
        reported_at=NOW,
    )
    merged = merge_import(stored, row())
    assert merged.status is HANDLED
    assert merged.reported_at == NOW


def test_a_changed_export_status_wins() -> None:
    stored = Ticket(
        "PA-1",
        date(2022, 2, 1),
        IN_PROGRESS,
        unit_code="P6TV",
        unit_text="UBND P.6",
        source_status="Đang xử lý",
    )
    merged = merge_import(stored, row(status=HANDLED, source_status="Đã xử lý"))
    assert merged.status is HANDLED
    assert changes(stored, merged) == [
        ("status", "in_progress", "handled"),
        ("due_on", None, "2022-02-10"),
    ]


def test_an_assignment_survives_reimporting_the_same_unit_text() -> None:
    stored = Ticket(
        "PA-1",
        date(2022, 2, 1),
        unit_code="SYT",
        unit_text="Phòng Y tế",
        source_status="Đang xử lý",
    )
    merged = merge_import(stored, row(unit_text="Phòng Y tế", unit_code=None, suggestion="SYT"))
    assert (merged.unit_code, merged.suggestion) == ("SYT", None)


def test_an_export_naming_another_unit_moves_the_ticket() -> None:
    stored = Ticket("PA-1", date(2022, 2, 1), unit_code="SYT", unit_text="Sở Y tế")
    moved = merge_import(stored, row())
    assert moved.unit_code == "P6TV"
    unknown = merge_import(stored, row(unit_text="Phòng lạ", unit_code=None, suggestion="LD"))
    assert (unknown.unit_code, unknown.suggestion) == (None, "LD")


def test_an_unmatched_ticket_is_matched_when_the_units_file_learns_the_name() -> None:
    stored = Ticket("PA-1", date(2022, 2, 1), unit_text="UBND P.6", suggestion="LD")
    merged = merge_import(stored, row())
    assert (merged.unit_code, merged.suggestion) == ("P6TV", None)


# ---------------------------------------------------------------- units and figures


def test_overdue_by_unit_in_configured_order_with_unknown_units_last() -> None:
    tickets = [
        ticket("1", date(2022, 1, 1), due=date(2022, 1, 31), unit="SYT"),
        ticket("2", date(2022, 1, 1), due=date(2022, 1, 31), unit="P6TV"),
        ticket("3", date(2022, 1, 1), due=date(2022, 2, 1), unit="SYT"),
        ticket("4", date(2022, 1, 1), due=date(2022, 2, 1), unit="OLD"),
        ticket("5", date(2022, 1, 1), due=date(2022, 2, 1), unit=None),
        ticket("6", date(2022, 1, 1), due=date(2022, 2, 20), unit="CL"),  # not yet due
        ticket("7", date(2022, 1, 1), due=date(2022, 1, 2), unit="CL", status=HANDLED),
    ]
    units, unassigned = overdue_by_unit(tickets, UNITS, TODAY)
    assert units == (
        UnitOverdue("P6TV", "UBND Phường 6", 1),
        UnitOverdue("SYT", "Sở Y tế", 2),
        UnitOverdue("OLD", "OLD", 1),
    )
    assert unassigned == 1


def test_pending_units_are_those_with_unanswered_overdue_tickets() -> None:
    asked = datetime(2022, 2, 10, 1, 0, tzinfo=UTC)
    tickets = [
        ticket("1", date(2022, 1, 1), due=date(2022, 1, 31), unit="SYT", reported_at=NOW),
        ticket("2", date(2022, 1, 1), due=date(2022, 1, 30), unit="SYT"),
        ticket("3", date(2022, 1, 1), due=date(2022, 1, 31), unit="P6TV", reported_at=NOW),
        ticket(
            "4",
            date(2022, 1, 1),
            due=date(2022, 1, 31),
            unit="CL",
            reported_at=datetime(2022, 2, 1, tzinfo=UTC),
        ),
    ]
    assert pending_units(tickets, UNITS, TODAY) == (PendingUnit("SYT", "Sở Y tế", 2, ("2",)),)
    # An answer given before the units were last asked no longer counts.
    assert pending_units(tickets, UNITS, TODAY, since=asked) == (
        PendingUnit("CL", "UBND Thị trấn Càng Long", 1, ("4",)),
        PendingUnit("SYT", "Sở Y tế", 2, ("2",)),
    )


def small_data_set() -> list[Ticket]:
    """Tickets around the window 15/01/2022 - 14/02/2022."""
    return [
        # Before the campaign started (01/01/2022): in no figure.
        ticket("0", date(2021, 12, 20), due=date(2021, 12, 30), unit="SYT"),
        # Earlier in the campaign: cumulative only.
        ticket("1", date(2022, 1, 3), due=date(2022, 1, 13), unit="SYT"),
        ticket("2", date(2022, 1, 5), status=HANDLED, channel="Trực tiếp", unit="CL"),
        # In the window.
        ticket("3", date(2022, 1, 15), due=date(2022, 1, 25), unit="P6TV"),
        ticket("4", date(2022, 1, 20), due=date(2022, 2, 13), unit=None, channel="Zalo"),
        ticket("5", date(2022, 2, 1), due=date(2022, 2, 14), unit="SYT", channel="Website"),
        ticket("6", date(2022, 2, 14), status=HANDLED, channel="Ứng dụng", unit="LD"),
        # After the window: not in this report.
        ticket("7", date(2022, 2, 15), due=date(2022, 2, 1), unit="SYT"),
    ]


def test_figures_for_a_small_data_set() -> None:
    figures = compute_figures(small_data_set(), UNITS, WINDOW, TODAY, date(2022, 1, 1))
    period, cumulative = figures.period, figures.cumulative
    assert (period.received, period.handled, period.in_progress, period.overdue) == (4, 1, 3, 2)
    assert dict(period.by_channel) == {
        "hotline": 1,
        "in_person": 0,
        "app": 1,
        "web": 1,
        "mail": 0,
        "zalo": 1,
        "facebook": 0,
        "other": 0,
    }
    assert (cumulative.received, cumulative.handled, cumulative.in_progress) == (6, 2, 4)
    assert cumulative.overdue == 3
    assert cumulative.by_channel["hotline"] == 2
    assert cumulative.by_channel["in_person"] == 1
    assert figures.overdue_units == (
        UnitOverdue("P6TV", "UBND Phường 6", 1),
        UnitOverdue("SYT", "Sở Y tế", 1),
    )
    assert figures.unassigned_overdue == 1
    assert (figures.period_start, figures.period_end, figures.as_of) == (*WINDOW, TODAY)


def test_without_a_campaign_start_every_ticket_up_to_the_window_counts() -> None:
    figures = compute_figures(small_data_set(), UNITS, WINDOW, TODAY)
    assert figures.cumulative.received == 7
    assert figures.overdue_units[-1] == UnitOverdue("SYT", "Sở Y tế", 2)
    assert sum(u.count for u in figures.overdue_units) + figures.unassigned_overdue == (
        figures.cumulative.overdue
    )
