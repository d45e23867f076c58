"""The appendix of each unit's figures: a table per form several units answer, with totals
and the units without an answer marked; split when wide; off with `unit_tables = false`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from docx.oxml.ns import qn

from bot.report import compile_draft
from bot.report.unit_tables import MAX_COLUMNS, unit_tables
from bot.workspace.load import Workspace
from domain.forms import Field, FieldKind, FieldType, Form
from domain.periods import Period
from domain.report_figures import PeriodAnswers
from domain.units import Unit
from storage import Database
from tests.support.docx_reading import open_docx
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)


def _rows(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[cell.text for cell in row.cells] for row in table.rows]


async def test_the_sample_draft_has_a_table_per_form_of_several_units(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    doc = open_docx(draft.docx)
    tables = [_rows(t) for t in doc.tables if _rows(t)[0][:2] == ["STT", "Đơn vị"]]
    overdue, shops = tables
    assert overdue[1] == ["1", "Văn phòng UBND tỉnh", "6"]
    assert ["22", "UBND xã Hiếu Tử (chưa báo cáo)", ""] in overdue
    assert overdue[-1][1:] == ["Tổng cộng", "105"]
    assert shops[-1][1:] == ["Tổng cộng", "38.850", "671"]
    for table in doc.tables:
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        first = table._tbl.findall(qn("w:tr"))[0]
        cells = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in first.findall(qn("w:tc"))]
        assert cells == grid
    assert "| 22 | UBND xã Hiếu Tử (chưa báo cáo) |" in draft.markdown


async def test_unit_tables_can_be_switched_off(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    config = sample_workspace.settings.source.parent / "report.toml"
    config.write_text("unit_tables = false\n" + config.read_text(encoding="utf-8"), "utf-8")
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert "PHỤ LỤC" not in "\n".join(p.text for p in open_docx(draft.docx).paragraphs)
    assert draft.document.unit_tables == []


def test_a_wide_form_is_split_into_tables_that_fit() -> None:
    fields = tuple(
        Field(f"f{i}", f"Số {i}?", FieldType.INTEGER, FieldKind.FLOW, label=f"số {i}")
        for i in range(2 * MAX_COLUMNS + 1)
    )
    form = Form("wide", "Biểu rộng", fields)
    units = [Unit("A", "Xã A", "", ("wide",)), Unit("B", "Xã B", "", ("wide",))]
    answers = PeriodAnswers(FEBRUARY, {"wide": {"A": {f.key: Decimal(2) for f in fields}}})
    tables = unit_tables({"wide": form}, units, answers, date(2022, 2, 14))
    assert [len(t.columns) for t in tables] == [MAX_COLUMNS, MAX_COLUMNS, 1]
    assert [t.title for t in tables] == [
        "Biểu rộng",
        "Biểu rộng (tiếp theo)",
        "Biểu rộng (tiếp theo)",
    ]
    assert tables[0].rows[1] == ("Xã B (chưa báo cáo)", ("",) * MAX_COLUMNS)
    assert tables[0].totals == ("2",) * MAX_COLUMNS
