"""The export's revisions name the people who typed, not their chat ids."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.report import export_xlsx
from bot.workspace.load import Workspace
from domain.answers import Answer
from domain.periods import Period
from storage import Database

PERIOD = Period(2022, 2)
CHANGED_BY = 7  # the revisions sheet's column «Người sửa»


async def test_revisions_name_focal_points_and_keep_other_authors(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    async with sample_db.write() as tx:
        await tx.focal_points.add("TTCNTT", "telegram", "5006", "5006", "Trần Văn Cũ")
        # Registering again (a new name on Telegram): the latest name is shown.
        await tx.focal_points.add("TTCNTT", "telegram", "5006", "5006", "Nguyễn Văn B")
        answer = Answer("TTCNTT", "covid", PERIOD.key, "qr_diem", "121")
        assert await tx.answers.set(answer, "telegram:5006")
        answer = Answer("TTCNTT", "covid", PERIOD.key, "qr_diem", "122")
        assert await tx.answers.set(answer, "telegram:900")  # an admin, no focal point
    book = load_workbook(io.BytesIO(await export_xlsx(sample_db, sample_workspace, PERIOD)))
    rows = list(book["Lịch sử sửa"].iter_rows(min_row=2, values_only=True))
    by = [r[CHANGED_BY] for r in rows if r[0] == "TTCNTT" and r[5] in ("121", "122")]
    assert by == ["Nguyễn Văn B", "telegram:900"]
    assert not [r for r in rows if r[CHANGED_BY] == "telegram:5006"]
