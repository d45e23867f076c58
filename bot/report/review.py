"""The review sheet (…_ra-soat.docx): everything the office checks before signing, apart
from the report so that nothing internal goes out with it: units late or missing, the
placeholders and what each waits for, consistency warnings with the units' explanations,
unusual figures kept, percentages the draft recomputed, overdue tickets by unit."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.report.model import Document, UnitLine
from bot.report.snippets import clean
from templates.catalog import text
from templates.periods import period_label

FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # A4 less 3 cm and 1.5 cm margins, as the report
NUMBER_CM = 1.5
Row = Sequence[str | int]


def review_name(draft_file_name: str) -> str:
    """ "BC-STTTT-VP_2022-02_v3.docx" -> "BC-STTTT-VP_2022-02_v3_ra-soat.docx"."""
    stem = draft_file_name.removesuffix(".docx")
    return f"{stem}_{text('report.review.file_suffix')}.docx"


def _t(key: str) -> str:
    return text(f"report.review.{key}")


def _page(word: WordDocument) -> None:
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)


def _table(word: WordDocument, header: Row, rows: Sequence[Row], widths: tuple[float, ...]) -> None:
    """A bordered table whose grid equals its cells' widths (Word and LibreOffice agree)."""
    table = word.add_table(rows=1, cols=len(header))
    table.style = word.styles["Table Grid"]
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(str(title)).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.paragraphs[0].add_run(clean(str(value)))
            if isinstance(value, int):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(round(width * 1440 / 2.54)))
    table.autofit = False  # a fixed layout, written where the schema puts it


def _part(
    word: WordDocument,
    number: int,
    key: str,
    header: Row,
    rows: Sequence[Row],
    widths: tuple[float, ...],
) -> None:
    roman = ("I", "II", "III", "IV", "V", "VI", "VII")[number - 1]
    heading = word.add_paragraph()
    heading.paragraph_format.space_before = Pt(12)
    heading.paragraph_format.keep_with_next = True
    heading.add_run(f"{roman}. {_t(key)}").bold = True
    if not rows:
        word.add_paragraph(_t(f"{key}_none"))
        return
    numbered: list[Row] = [(index, *row) for index, row in enumerate(rows, start=1)]
    _table(word, (_t("col_no"), *header), numbered, (NUMBER_CM, *widths))


def _units(doc: Document) -> Sequence[Row]:
    pending = text("report.appendix.pending_head")
    late = text("report.appendix.late_head")
    return [(u.unit, f"{pending}: {u.detail}") for u in doc.not_reported] + [
        (u.unit, f"{late}: {u.detail}") for u in doc.late
    ]


def _who(unit: str) -> str:
    """A row's unit, or what an office-wide figure is made of: a recomputed percentage (and
    a check of a figure no one unit typed) comes from all the units' figures together."""
    return unit or _t("all_units")


def _counts(lines: list[UnitLine]) -> Sequence[Row]:
    return [(line.unit, line.count or 0) for line in lines]


def render_review(doc: Document, version: int) -> bytes:
    """The review sheet of a compiled draft, as a .docx."""
    word = new_document()
    _page(word)
    title = word.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(_t("title")).bold = True
    subtitle = word.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.add_run(
        text("report.review.subtitle", period=period_label(doc.period), version=version)
    ).italic = True
    rest = TEXT_WIDTH_CM - NUMBER_CM
    gaps: Sequence[Row] = [
        (
            gap.section,
            gap.what + (" " + text("report.appendix.gap_previous") if gap.previous else ""),
            ", ".join(gap.units),
        )
        for gap in doc.gaps
    ]
    kept = [w for w in doc.warnings if w.kind == "kept"]
    ratios = [w for w in doc.warnings if w.kind == "ratio"]
    others = [w for w in doc.warnings if w.kind not in ("kept", "ratio")]
    explained = (4.0, 6.5, rest - 10.5)
    parts: list[tuple[str, Row, Sequence[Row], tuple[float, ...]]] = [
        ("units", (_t("col_unit"), _t("col_state")), _units(doc), (6.0, rest - 6.0)),
        (
            "gaps",
            (_t("col_section"), _t("col_what"), _t("col_waiting")),
            gaps,
            (1.8, 7.5, rest - 9.3),
        ),
        (
            "warnings",
            (_t("col_unit"), _t("col_problem"), _t("col_explanation")),
            [(_who(w.unit), w.text, w.explanation or "") for w in others],
            explained,
        ),
        (
            "kept",
            (_t("col_unit"), _t("col_problem"), _t("col_explanation")),
            [(_who(w.unit), w.text, w.explanation or "") for w in kept],
            explained,
        ),
        (
            "recomputed",
            (_t("col_unit"), _t("col_problem")),
            [(_who(w.unit), w.text) for w in ratios]
            + [(_who(""), line) for line in doc.recomputed],
            (5.0, rest - 5.0),
        ),
    ]
    if doc.tickets is not None:
        parts.append(
            (
                "overdue",
                (_t("col_unit"), _t("col_count")),
                _counts(doc.overdue),
                (10.0, rest - 10.0),
            )
        )
    for number, (key, header, rows, widths) in enumerate(parts, start=1):
        _part(word, number, key, header, rows, widths)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
