"""The appendix «Biểu đồ»: a trend chart per figure report.toml marks `chart = true`, drawn
when 3 or more of the last 12 periods have data; off with `charts = false`."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from docx.oxml.ns import qn
from openpyxl import load_workbook

from bot.report import compile_draft
from bot.report.charts import _point, chart_periods, charted_fields
from bot.report.compile import export_workbook
from bot.report.gather import read_fields_over, read_fields_seeking
from bot.workspace.load import Workspace
from bot.workspace.report_spec import spec_for
from domain.answers import Answer
from domain.periods import Period
from domain.report_figures import FigureValue, ValueKind
from storage import Database
from tests.support.docx_reading import open_docx
from tests.support.sample_data import COMPILED_AT
from tests.support.sample_history import add_december

FEBRUARY = Period(2022, 2)
CHARTED = ("iOffice", "văn bản đi", "ký số")  # the sample's three charted figures


def _appendix(docx: bytes) -> tuple[list[str], int]:
    """The paragraphs after «Biểu đồ» and the pictures among them."""
    doc = open_docx(docx)
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "Biểu đồ")
    after = paragraphs[start + 1 :]
    pictures = sum(len(p._p.findall(".//" + qn("pic:pic"))) for p in after)
    return [p.text for p in after if p.text], pictures


async def test_three_months_of_data_draw_the_key_figures_in_the_appendix(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    titles, pictures = _appendix(draft.docx)
    assert pictures == 3
    assert len(draft.document.charts) == 3
    for title, word in zip(titles[:3], CHARTED, strict=True):
        assert word.lower() in title.lower()
    assert all(c.png.startswith(b"\x89PNG") for c in draft.document.charts)


async def test_two_months_of_data_draw_no_chart(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert draft.document.charts == []
    texts = [p.text for p in open_docx(draft.docx).paragraphs]
    assert "Biểu đồ" not in texts
    assert not open_docx(draft.docx).inline_shapes


async def test_charts_can_be_switched_off(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    config = sample_workspace.settings.source.parent / "report.toml"
    config.write_text("charts = false\n" + config.read_text(encoding="utf-8"), "utf-8")
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert draft.document.charts == []
    assert not open_docx(draft.docx).inline_shapes


async def test_the_charts_read_field_by_field_what_the_periods_read_whole_give(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    forms = sample_workspace.forms
    spec = spec_for(sample_workspace.settings.source.parent, forms, sample_workspace.units)
    fields = charted_fields(spec)
    periods = chart_periods(FEBRUARY)
    whole = await read_fields_over(sample_db, forms, fields, periods)
    sought = await read_fields_seeking(sample_db, forms, fields, periods)
    assert {p: a.values for p, a in sought.items()} == {p: a.values for p, a in whole.items()}
    assert sum(1 for a in sought.values() if any(a.values.values())) == 3  # 12/2021-02/2022


async def test_a_period_some_units_left_out_is_a_hollow_point_with_a_note(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    # The postal companies' total (two units) charted too; Viettel Post leaves December out.
    spec_file = sample_dir / "report.toml"
    marked = re.sub(r"(ho_tmdt = \{[^}]*)\}", r"\1, chart = true }", spec_file.read_text("utf-8"))
    spec_file.write_text(marked, "utf-8")
    await add_december(sample_db, sample_workspace, sample_dir)
    async with sample_db.write() as tx:
        gone = Answer("VTP", "tmdt", "2021-12", "ho_san", None, None)
        await tx.answers.set(gone, "test")

    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)

    # Before, the total had 2 complete periods of 3 and got no chart at all.
    charts = draft.document.charts
    assert len(charts) == 4
    postal = next(c for c in charts if "có tài khoản trên sàn" in c.title)
    assert postal.note == (
        "Điểm rỗng (12/2021): chưa đủ số liệu của các đơn vị, là tổng của các đơn vị đã báo cáo."
    )
    assert [c.note for c in charts if c is not postal] == ["", "", ""]
    texts, pictures = _appendix(draft.docx)
    assert pictures == 4
    assert postal.note in texts
    number = charts.index(postal) + 1
    assert texts.index(postal.note) == texts.index(f"{number}. {postal.title}") + 1
    # The export's sheet of charts says it too, in the chart's title cell.
    book = load_workbook(
        io.BytesIO(await export_workbook(sample_db, sample_workspace, FEBRUARY, COMPILED_AT))
    )
    cells = [row[0] for row in book["Biểu đồ"].iter_rows(values_only=True) if row[0]]
    assert f"{number}. {postal.title} — {postal.note}" in cells


def test_only_a_sum_is_drawn_from_the_units_that_answered() -> None:
    may = Period(2024, 5)
    partial_sum = FigureValue("so", ValueKind.NUMBER, Decimal(10), ("B", "C"))
    assert _point(may, partial_sum) == (may, Decimal(10), False)
    complete = FigureValue("so", ValueKind.NUMBER, Decimal(12))
    assert _point(may, complete) == (may, Decimal(12), True)
    # A percentage of the units that answered is no total of them: no point at all.
    for kind in (ValueKind.PERCENT, ValueKind.RATIO, ValueKind.POINTS):
        assert _point(may, FigureValue("ty_le", kind, Decimal(95), ("B", "C"))) == (
            may,
            None,
            False,
        )
    ranged = FigureValue("ty_le", ValueKind.NUMBER, Decimal(95), ("C",), low=Decimal(40))
    assert _point(may, ranged) == (may, None, False)
