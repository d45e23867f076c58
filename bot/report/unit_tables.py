"""The appendix of per-unit figures: for each form several units answer, a table of unit ×
figure with a totals row, the units without an answer marked; a wide form is split into
tables that fit the portrait page. The tables are streamed into the .docx as Word XML
text, row by row: a big office's 5,000 units × 40 figures are 300,000 cells, which
python-docx or one parsed tree would take seconds and a gigabyte to build."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from bot.report.model import UnitTable
from bot.report.snippets import clean
from domain.forms import FieldType, Form
from domain.numbers import format_number
from domain.report_figures import PeriodAnswers
from domain.units import Unit
from templates.catalog import text

MAX_COLUMNS = 4  # figures per table on a portrait page: more are split into another table
NUMBER_CM, FIGURE_CM, TEXT_WIDTH_CM = 1.2, 2.6, 16.5
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def unit_tables(
    forms: Mapping[str, Form], units: Sequence[Unit], answers: PeriodAnswers, on: date
) -> list[UnitTable]:
    """The tables of every form owed by more than one unit, in the forms' order."""
    tables: list[UnitTable] = []
    missing = text("report.unit_tables.no_answer")
    # Figures repeat a lot across 5,000 units: each value is formatted once.
    formatted: dict[Decimal, str] = {}
    for form in forms.values():
        owing = [u for u in units if u.owes(form.code) and u.in_force(on)]
        fields = [f for f in form.fields if f.type.is_numeric]
        if len(owing) < 2 or not fields:
            continue
        for start in range(0, len(fields), MAX_COLUMNS):
            part = fields[start : start + MAX_COLUMNS]
            rows = []
            totals: list[Decimal | None] = [
                Decimal(0) if f.type is not FieldType.PERCENT else None for f in part
            ]
            for unit in owing:
                given = answers.unit_values(form.code, unit.code)
                if not given:
                    rows.append((f"{unit.name} {missing}", tuple("" for _ in part)))
                    continue
                cells = []
                for index, field in enumerate(part):
                    value = given.get(field.key)
                    if isinstance(value, Decimal):
                        shown = formatted.get(value)
                        if shown is None:
                            shown = formatted[value] = format_number(value)
                        cells.append(shown)
                        total = totals[index]
                        totals[index] = None if total is None else total + value
                    else:
                        cells.append("")
                rows.append((unit.name, tuple(cells)))
            title = (
                form.title if start == 0 else text("report.unit_tables.continued", title=form.title)
            )
            tables.append(
                UnitTable(
                    title,
                    tuple(_column(f.title, f.measure) for f in part),
                    tuple(rows),
                    tuple("" if t is None else format_number(t) for t in totals),
                )
            )
    return tables


def _column(title: str, measure: str) -> str:
    label = title[:1].upper() + title[1:]
    return f"{label} ({measure})" if measure else label


def _t(key: str) -> str:
    return text(f"report.unit_tables.{key}")


def _twips(cm: float) -> int:
    return round(cm * 1440 / 2.54)


# Cell paragraphs take their font and spacing from the template's styles (BaoCaoBang, and
# BaoCaoBangSo for figures, right-aligned): the XML of 300,000 cells stays short.
def _cell(content: str, width: int, style: str, bold: bool = False) -> str:
    weight = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>'
        f'<w:r>{weight}<w:t xml:space="preserve">{escape(clean(content))}</w:t></w:r></w:p></w:tc>'
    )


def _paragraph(content: str, *, italic: bool = False, center: bool = False) -> str:
    align = '<w:jc w:val="center"/>' if center else ""
    run = "<w:b/>" if not italic else "<w:i/>"
    return (
        f'<w:p><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/>{align}</w:pPr>'
        f'<w:r><w:rPr>{run}</w:rPr><w:t xml:space="preserve">{escape(clean(content))}</w:t>'
        "</w:r></w:p>"
    )


TEXT_STYLE, FIGURE_STYLE = "BaoCaoBang", "BaoCaoBangSo"


def table_xml(table: UnitTable) -> Iterator[str]:
    """One table as Word XML, a piece per row: a header row repeated on each page, a row
    per unit, the totals; its grid equals its cells' widths (Word and LibreOffice agree)."""
    figure = _twips(FIGURE_CM)
    number = _twips(NUMBER_CM)
    unit = _twips(TEXT_WIDTH_CM) - number - figure * len(table.columns)
    widths = [number, unit, *[figure] * len(table.columns)]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    titles = (_t("col_no"), _t("col_unit"), *table.columns)
    head = "".join(_cell(c, w, TEXT_STYLE, True) for c, w in zip(titles, widths, strict=True))
    yield (
        f'<w:tbl><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f"<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{head}</w:tr>"
    )
    # The cells of a figure column are alike but for their text: their XML is cut once.
    before = (
        f'<w:tc><w:tcPr><w:tcW w:w="{figure}" w:type="dxa"/></w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{FIGURE_STYLE}"/></w:pPr><w:r><w:t>'
    )
    after = "</w:t></w:r></w:p></w:tc>"
    for index, (name, cells) in enumerate(table.rows, start=1):
        figures = "".join(before + c + after for c in cells)  # formatted numbers: no escaping
        yield (
            f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{_cell(str(index), number, FIGURE_STYLE)}"
            f"{_cell(name, unit, TEXT_STYLE)}{figures}</w:tr>"
        )
    total = _cell("", number, TEXT_STYLE) + _cell(_t("total"), unit, TEXT_STYLE, True)
    total += "".join(_cell(c, figure, FIGURE_STYLE, True) for c in table.totals)
    yield f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{total}</w:tr></w:tbl>"


def appendix_xml(tables: Sequence[UnitTable]) -> Iterator[str]:
    """The appendix as pieces of Word body XML: a new page, its title, then a heading and a
    table per form; nothing when there are no tables."""
    if not tables:
        return
    yield '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    yield _paragraph(_t("title"), center=True)
    yield _paragraph(_t("subtitle"), italic=True, center=True)
    for index, table in enumerate(tables, start=1):
        yield _paragraph(f"{index}. {table.title}")
        yield from table_xml(table)
