"""Build templates/report/report.docx, the Word template of the draft report.

The layout rules of Decree 30/2020/NĐ-CP (Appendix I) live here, in code; the office may
still open report.docx in Word and restyle it (the paragraph styles BaoCaoMuc1..3 and
BaoCaoNoiDung shape the body). Run from the repository root after changing a rule:

    .venv/bin/python templates/report/make_template.py

The Jinja tags in the document are filled by bot/report/docx.py (docxtpl, autoescape on).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from templates.catalog import text
from templates.report.ooxml import (
    border,
    cant_split,
    cell_box,
    keep_together,
    no_borders,
    no_side_margins,
    page_field,
    widths,
)

OUT = Path(__file__).with_name("report.docx")
FONT = "Times New Roman"
BODY_PT = 14
# Page: A4 portrait; margins within the decree's ranges (top/bottom 20-25, left 30-35,
# right 15-20 mm).
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_WIDTH_CM = (210 - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10
# The header's two columns, each line of it on one line. Measured in Times New Roman bold
# at 12 pt (the advance widths of its glyphs; Liberation Serif's are the same): the national
# title «CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM» is 8.8 cm, the agency «SỞ THÔNG TIN VÀ TRUYỀN
# THÔNG» 7.4 cm (8.0 cm at 13 pt); where Vietnamese letters fall back to a wider font
# (LibreOffice with Liberation Serif 1.x), 8.9 and 7.5 cm. Together they need more than the
# 16.5 cm between the margins with Word's cell margins, so the header's cells have none and
# the table reaches 0.25 cm into each side margin (centred): 7.8 cm for the agency block,
# 9.2 cm for the national title.
HEADER_OVERHANG_CM = 0.5
LEFT_COL_CM = 7.8
RIGHT_COL_CM = TEXT_WIDTH_CM + HEADER_OVERHANG_CM - LEFT_COL_CM
AGENCY_PT = 12  # Decree 30: the agency lines at 12-13 pt; 13 pt would wrap the long names
NATIONAL_TITLE_PT = 12
# "Độc lập - Tự do - Hạnh phúc" in Times New Roman bold is 12.2 em wide (sum of the
# glyphs' advance widths): at 13 pt that is 5.6 cm, the length of the rule under it.
MOTTO_RULE_CM = 5.6
SHORT_RULE_CM = 3.0  # under the issuing body and under the subject: a short rule
DRAFT_MARK_CM = 3.2  # the box around «DỰ THẢO» in the header


def _fonts(element: OxmlElement, size_pt: float | None = None) -> None:
    """Times New Roman for every script (Vietnamese needs hAnsi and cs too)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    del size_pt


def _styles(document: Document) -> None:  # type: ignore[valid-type]
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    body = document.styles.add_style("BaoCaoNoiDung", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    body.font.size = Pt(BODY_PT)
    fmt = body.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1.27)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    # The per-unit appendix's cells (bot/report/unit_tables.py): 12 pt, no spacing; figures
    # right-aligned.
    for name, alignment in (
        ("BaoCaoBang", WD_ALIGN_PARAGRAPH.LEFT),
        ("BaoCaoBangSo", WD_ALIGN_PARAGRAPH.RIGHT),
    ):
        cell = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        cell.base_style = normal
        cell.font.size = Pt(12)
        cell.paragraph_format.alignment = alignment
        cell.paragraph_format.space_after = Pt(0)
        cell.paragraph_format.line_spacing = 1.0
    for name, italic in (("BaoCaoMuc1", False), ("BaoCaoMuc2", False), ("BaoCaoMuc3", True)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = body
        style.font.bold = True
        style.font.italic = italic
        style.paragraph_format.keep_with_next = True


def _page(document: Document) -> None:  # type: ignore[valid-type]
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    # Page numbers from page 2 on, centred in the top margin; the draft mark on every page.
    section.different_first_page_header_footer = True
    _header_line(section.header, numbered=True)
    _header_line(section.first_page_header, numbered=False)


def _header_line(header: Any, *, numbered: bool) -> None:
    """One line of header: the page number in the middle (from page 2), «DỰ THẢO» boxed at
    the right. A borderless table holds both on one line, so the header stays within the
    top margin and the box is the word's, not the page's width."""
    side = DRAFT_MARK_CM
    table = header.add_table(rows=1, cols=3, width=Cm(TEXT_WIDTH_CM))
    no_borders(table)
    widths(table, (side, TEXT_WIDTH_CM - 2 * side, side))
    _, middle, right = table.rows[0].cells
    if numbered:
        number = middle.paragraphs[0]
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
        page_field(number)
    mark = right.paragraphs[0]
    mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = mark.add_run(text("report.draft_mark"))
    run.bold = True
    run.font.size = Pt(13)
    cell_box(right)
    # python-docx starts a header with an empty paragraph: it would add a line.
    first = header.paragraphs[0]
    first.paragraph_format.space_after = Pt(0)
    first.paragraph_format.line_spacing = Pt(1)


def _rule(cell_or_doc: _Cell | Document, available_cm: float, length_cm: float) -> None:  # type: ignore[valid-type]
    """A solid rule `length_cm` long, centred: the top border of a tiny empty paragraph."""
    paragraph = cell_or_doc.add_paragraph()
    indent = Cm(max(0.0, (available_cm - length_cm) / 2))
    fmt = paragraph.paragraph_format
    fmt.left_indent = indent
    fmt.right_indent = indent
    fmt.first_line_indent = Cm(0)
    fmt.space_before = Pt(2)  # clear of the descenders of the line above
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    border(paragraph, ("top",))


def _line(
    container: _Cell | Document,  # type: ignore[valid-type]
    content: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    first: bool = False,
    space_before: float = 0,
) -> Paragraph:
    paragraph = container.paragraphs[0] if first else container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(space_before)
    run = paragraph.add_run(content)
    run.bold = bold
    run.italic = italic
    run.font.size = Pt(size)
    return paragraph


def _header(document: Document) -> None:  # type: ignore[valid-type]
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(table)
    widths(table, (LEFT_COL_CM, RIGHT_COL_CM))
    no_side_margins(table)
    left, right = table.rows[0].cells
    _line(left, "{{ parent_body | upper }}", AGENCY_PT, first=True)
    _line(left, "{{ issuing_body | upper }}", AGENCY_PT, bold=True)
    _rule(left, LEFT_COL_CM, SHORT_RULE_CM)
    _line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", NATIONAL_TITLE_PT, bold=True, first=True)
    _line(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    _rule(right, RIGHT_COL_CM, MOTTO_RULE_CM)
    number, date = table.rows[1].cells
    _line(number, "{{ number_line }}", 13, first=True, space_before=6)
    _line(date, "{{ place_date }}", 14, italic=True, first=True, space_before=6)
    _line(document, text("report.title"), 14, bold=True, space_before=18)
    _line(document, "{{ subject }}", 14, bold=True)
    _rule(document, TEXT_WIDTH_CM, SHORT_RULE_CM)
    document.add_paragraph().paragraph_format.space_after = Pt(6)


def _body(document: Document) -> None:  # type: ignore[valid-type]
    document.add_paragraph("{{p body }}", style="BaoCaoNoiDung")
    closing = document.add_paragraph("{{ closing }}", style="BaoCaoNoiDung")
    # The closing sentence goes with the signature block onto its page: never a signature
    # alone at the top of a page.
    closing.paragraph_format.keep_with_next = True


def _signature(document: Document) -> None:  # type: ignore[valid-type]
    table = document.add_table(rows=1, cols=2)
    no_borders(table)
    widths(table, (8.0, TEXT_WIDTH_CM - 8.0))
    left, right = table.rows[0].cells
    _line(
        left,
        text("report.recipients_title"),
        12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        first=True,
        space_before=12,
    )
    left.add_paragraph("{%p for line in recipients %}")
    _line(left, "- {{ line }}", 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    left.add_paragraph("{%p endfor %}")
    right.paragraphs[0].paragraph_format.space_before = Pt(12)
    right.paragraphs[0].add_run("{%p for title in signer_titles %}")
    _line(right, "{{ title }}", 14, bold=True)
    right.add_paragraph("{%p endfor %}")
    for _ in range(4):  # room for the signature and the seal
        right.add_paragraph()
    _line(right, "{{ signer_name }}", 14, bold=True)
    cant_split(table)
    keep_together(table)


def build(out: Path = OUT) -> Path:
    """Write the template to `out`."""
    document = Document()
    _styles(document)
    _page(document)
    _header(document)
    _body(document)
    _signature(document)
    # python-docx starts with one empty paragraph: drop it so the header table comes first.
    first = document.paragraphs[0]
    if not first.text and first._p.getparent() is not None:
        first._p.getparent().remove(first._p)
    document.core_properties.title = text("report.title")
    document.core_properties.author = "baocao"
    document.save(str(out))
    return out


if __name__ == "__main__":
    print(build())
