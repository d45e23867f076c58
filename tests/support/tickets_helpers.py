"""Units, dates and builders shared by the tickets tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.tickets import Ticket, TicketStatus
from domain.units import Unit

TODAY = date(2022, 2, 14)
NOW = datetime(2022, 2, 14, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
WINDOW = (date(2022, 1, 15), date(2022, 2, 14))

UNITS = (
    Unit("SYT", "Sở Y tế", "Sở, ban, ngành", ("cntt",), order=3),
    Unit("P6TV", "UBND Phường 6", "UBND cấp xã", ("cntt",), order=1, aliases=("UBND P6",)),
    Unit("CL", "UBND Thị trấn Càng Long", "UBND cấp xã", ("cntt",), order=2),
    Unit("LD", "UBND xã Long Đức", "UBND cấp xã", ("cntt",), order=4),
    Unit(
        "TTCNTT",
        "Trung tâm Công nghệ thông tin - Truyền thông",
        "Đơn vị trực thuộc Sở",
        ("cntt",),
        order=5,
        aliases=("Trung tâm CNTT-TT",),
    ),
)


def ticket(
    ticket_id: str,
    received: date,
    *,
    due: date | None = None,
    unit: str | None = "SYT",
    status: TicketStatus = TicketStatus.IN_PROGRESS,
    channel: str = "Tổng đài 1022",
    reported_at: datetime | None = None,
) -> Ticket:
    """A stored-looking ticket."""
    return Ticket(
        id=ticket_id,
        received_on=received,
        status=status,
        channel=channel,
        due_on=due,
        unit_code=unit,
        unit_text=unit or "",
        reported_at=reported_at,
    )
