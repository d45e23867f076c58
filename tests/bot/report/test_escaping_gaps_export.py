"""A small office without report.toml: unit text with & < > survives into the Word file,
a unit that did not report leaves a visible placeholder, and the export keeps formulas
typed by units as plain text."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.report import compile_draft, export_xlsx
from bot.workspace.load import Workspace, load_workspace
from domain.answers import Answer
from domain.calendar import period_window
from domain.obligations import ObligationState, obligations_owed
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import full_text, open_docx
from tests.support.offices import write_office

PERIOD = Period(2022, 2)
NOW = datetime(2022, 2, 17, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
UNITS = """mã đơn vị,tên đơn vị,nhóm,biểu mẫu
A,UBND Phường 1,Xã,bc
B,UBND xã <Hiếu Tử> & Co,Xã,bc
"""
TYPED = '<b>Bộ TT&TT</b> & "trích" =1+1'


async def _office(tmp_path: Path) -> tuple[Workspace, Database]:
    workspace = load_workspace(write_office(tmp_path, UNITS))
    db = await Database.open(tmp_path / "t.sqlite3", synchronous="OFF")
    cutoff = period_window(PERIOD, workspace.settings.regime)[1]
    async with db.write() as tx:
        await tx.units.sync_all(workspace.units)
        await tx.obligations.ensure(obligations_owed(workspace.units, PERIOD, cutoff))
        for key, value in (("so", "12"), ("ghi_chu", TYPED)):
            await tx.answers.set(Answer("A", "bc", PERIOD.key, key, value, updated_at=NOW), "t:1")
        await tx.obligations.set_state("A", "bc", PERIOD, ObligationState.SUBMITTED, at=NOW)
    return workspace, db


async def test_escaping_placeholder_and_plain_declaration(tmp_path: Path) -> None:
    workspace, db = await _office(tmp_path)
    try:
        draft = await compile_draft(db, workspace, PERIOD, NOW)
    finally:
        await db.close()
    text = full_text(open_docx(draft.docx))
    assert TYPED in text  # autoescape: printed as typed, the XML still valid
    # B did not report: the sum is provisional and says whom it waits for.
    assert "- Hồ sơ: [chưa đủ số liệu, thiếu: UBND xã <Hiếu Tử> & Co; tạm tính: 12] hồ sơ." in text
    # Two gaps: B's number and B's text.
    assert [g.units for g in draft.document.gaps] == [("UBND xã <Hiếu Tử> & Co",)] * 2
    assert "[chưa có số liệu: UBND xã <Hiếu Tử> & Co]" in text  # B's text, too
    assert "\\<b\\>Bộ TT&TT\\</b\\>" in draft.markdown  # escaped for Markdown
    with zipfile.ZipFile(io.BytesIO(draft.docx)) as docx:
        body = docx.read("word/document.xml").decode()
    assert "&lt;b&gt;Bộ TT&amp;TT&lt;/b&gt;" in body


async def test_export_sheets_headers_and_formula_injection(tmp_path: Path) -> None:
    workspace, db = await _office(tmp_path)
    try:
        data = await export_xlsx(db, workspace, PERIOD)
    finally:
        await db.close()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Báo cáo", "Phiếu phản ánh", "Lịch sử sửa"]
    sheet = book["Báo cáo"]
    header = [c.value for c in sheet[1]]
    assert header == ["Mã đơn vị", "Tên đơn vị", "Trạng thái", "Thời điểm nộp", "hồ sơ", "Ghi chú?"]
    row = [c for c in sheet[2]]
    assert row[0].value == "A" and row[2].value == "đã nộp" and row[4].value == 12
    assert row[5].value == TYPED and row[5].data_type == "s"
    assert [c.value for c in sheet[3]][:3] == ["B", "UBND xã <Hiếu Tử> & Co", "chưa bắt đầu"]
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        assert all("<f>" not in xlsx.read(n).decode() for n in xlsx.namelist())
    revisions = list(book["Lịch sử sửa"].iter_rows(min_row=2, values_only=True))
    assert {r[3] for r in revisions} == {"hồ sơ", "Ghi chú?"}
    assert book["Phiếu phản ánh"].max_row == 1  # header only until tickets are imported


async def test_sample_export_keeps_revisions(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    book = load_workbook(io.BytesIO(await export_xlsx(sample_db, sample_workspace, PERIOD)))
    rows = list(book["Lịch sử sửa"].iter_rows(min_row=2, values_only=True))
    corrected = [r for r in rows if r[3] == "lượt quét mã QR lũy kế"]
    assert [(r[4], r[5]) for r in corrected] == [(None, "1924682"), ("1924682", "1924862")]
    covid = book["Ứng dụng CNTT phòng, chống"]  # 31 characters at most, whole words
    assert [c.value for c in covid[2]][:2] == [
        "TTCNTT",
        "Trung tâm Công nghệ thông tin - Truyền thông",
    ]
