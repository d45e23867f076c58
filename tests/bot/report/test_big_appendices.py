"""The review sheet of a big office's draft, read back from the .docx: every unit not
reporting and every unit holding overdue tickets is listed once, in the document's order,
numbered, with its text as typed."""

from __future__ import annotations

import pytest

from bot.report.model import Document, UnitLine
from bot.report.review import render_review
from domain.periods import Period
from domain.report_tickets import TicketSummary
from tests.support.docx_reading import open_docx

UNITS = 3000


def document() -> Document:
    doc = Document(
        period=Period(2024, 12),
        office_name="Sở TT&TT",
        document_code="BC-STTTT",
        parent_body="UBND TỈNH",
        issuing_body="SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        number_line="Số:      /BC-STTTT",
        place_date="Trà Vinh, ngày ... tháng 12 năm 2024",
        subject="Báo cáo tháng 12",
        closing="",
        recipients=("Như trên",),
        signer_titles=("GIÁM ĐỐC",),
        signer_name="Nguyễn Văn A",
    )
    doc.not_reported = [UnitLine(f"Xã <{i}> & Co", "Báo cáo tháng") for i in range(UNITS)]
    doc.overdue = [UnitLine(f"Phường {i}", "", count=i % 7 + 1) for i in range(UNITS)]
    doc.tickets = TicketSummary(overdue=sum(line.count or 0 for line in doc.overdue))
    return doc


def table_rows(data: bytes, first_cell: str) -> list[list[str]]:
    """The rows after the header of the table whose first data row starts `first_cell`."""
    for table in open_docx(data).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if len(rows) > 1 and rows[1][1].startswith(first_cell):
            return rows[1:]
    raise AssertionError(f"no table starting with {first_cell!r}")


@pytest.mark.slow
def test_every_unit_of_a_big_appendix_is_listed_once_in_order() -> None:
    data = render_review(document(), 1)
    pending = table_rows(data, "Xã <0> & Co")
    assert [row[:2] for row in pending] == [[str(i + 1), f"Xã <{i}> & Co"] for i in range(UNITS)]
    overdue = table_rows(data, "Phường 0")
    assert [row[:3] for row in overdue] == [
        [str(i + 1), f"Phường {i}", str(i % 7 + 1)] for i in range(UNITS)
    ]
