"""Word XML the template generator needs and python-docx has no call for: table grids
that agree with their cells, borders, rows that do not split, a PAGE field."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

BODY_PT = 14


def cell_box(cell: _Cell) -> None:
    """A solid box around a cell."""
    props = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "8")
        line.set(qn("w:space"), "0")
        line.set(qn("w:color"), "auto")
        borders.append(line)
    props.append(borders)


def page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word prints the page's number there."""
    run = paragraph.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, instruction in (("begin", None), (None, " PAGE "), ("separate", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = instruction
            run._r.append(instr)
    shown = paragraph.add_run("2")
    shown.font.size = Pt(BODY_PT)
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def border(paragraph: Paragraph, sides: tuple[str, ...]) -> None:
    """Solid lines on the given sides of a paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "6")  # eighths of a point: a 0.75 pt solid line
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), "auto")
        borders.append(line)
    ppr.append(borders)


def no_borders(table: Table) -> None:
    """A table drawn without lines (the header and the signature block)."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{side}")
        line.set(qn("w:val"), "nil")
        borders.append(line)
    # In the schema's order (CT_TblPr), where Word looks for it: before shd and tblLayout.
    props = table._tbl.tblPr
    for old in props.findall(qn("w:tblBorders")):
        props.remove(old)
    props.insert_element_before(
        borders,
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
        "w:tblCaption",
        "w:tblDescription",
    )


def twips(cm: float) -> int:
    """Centimetres in twentieths of a point, Word's table unit."""
    return round(cm * 1440 / 2.54)


def widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    """Fixed column widths, written alike in the grid (which LibreOffice reads) and in
    each cell (which Word reads): when the two disagree, the programs draw different
    tables."""
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    tbl = table._tbl
    grid = tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(twips(width)))
    props = tbl.tblPr
    table_width = props.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        props.append(table_width)
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(twips(w) for w in widths_cm)))
    # The fixed layout: `table.autofit = False` above wrote it, in its place.


def no_side_margins(table: Table) -> None:
    """Cells without left and right margins: a header line may use the column's full width
    (centred lines do not need the 0.19 cm Word keeps on each side)."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # Word reads tblPr's children in the schema's order: tblCellMar comes before tblLook.
    props = table._tbl.tblPr
    props.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")


def cant_split(table: Table) -> None:
    """Rows that never break across pages (the signature block stays whole)."""
    for row in table.rows:
        props = row._tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))


def keep_together(table: Table) -> None:
    """Every paragraph of the table kept with the next: the block moves as one."""
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
                paragraph.paragraph_format.keep_together = True
