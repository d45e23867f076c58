"""The review sheet (…_ra-soat.docx) holds what the office checks before signing, and the
report holds none of it: the missing and late units, the placeholders and whom they wait
for, the explained warning, and the three percentages the draft recomputed."""

from __future__ import annotations

from bot.report import compile_draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import full_text, open_docx
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)


async def test_the_review_sheet_lists_what_to_check(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert draft.review_name == "BC-STTTT-VP_2022-02_v1_ra-soat.docx"
    review = full_text(open_docx(draft.review_docx))
    # The missing unit, and the placeholder it leaves in the body.
    assert "UBND xã Hiếu Tử" in review and "Số phiếu trễ hạn theo đơn vị" in review
    assert "Báo cáo trễ hạn, nộp lúc: 10:15 16/02/2022" in review
    # The warning and the unit's explanation.
    assert "472 + 1.914 = 2.386, nhưng «tổng số chứng thư số» là 2.361" in review
    assert "Tổng số lấy theo hệ thống quản lý chứng thư số" in review
    # The three recomputed percentages: 37,14 -> 37,13; 0,75 -> 0,74; 0,60 -> 0,59.
    assert "205.200 / 552.581 = 37,13%, nhưng" in review and "37,14%" in review
    assert "42 / 5.642 = 0,74%, nhưng" in review and "0,75%" in review
    assert "dự thảo ghi 0,59%" in review and "là 0,60%" in review


async def test_the_report_carries_no_checklist(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    report = full_text(open_docx(draft.docx))
    assert "Kèm theo" not in report  # its appendix is the units' figures, nothing internal
    assert "472 + 1.914" not in report and "Báo cáo trễ hạn" not in report
    # The placeholder stays visibly marked in the body.
    assert "[chưa có số liệu: UBND xã Hiếu Tử]" in report
    assert "472 + 1.914" not in draft.markdown


async def test_every_row_of_the_recomputed_part_names_what_it_is_about(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    tables = open_docx(draft.review_docx).tables
    # Part V: the table whose rows hold the recomputed changes («dự thảo ghi …»).
    (recomputed,) = [t for t in tables if any("dự thảo ghi" in c.text for c in t._cells)]
    rows = [[cell.text for cell in row.cells] for row in recomputed.rows[1:]]
    assert len(rows) == 3  # two stated percentages, one change of a percentage
    assert all(all(cell.strip() for cell in row) for row in rows), rows
    (change,) = [row for row in rows if "dự thảo ghi" in row[2]]
    assert change[1] == "Tổng hợp các đơn vị"
