"""The draft as a Word document: templates/report/report.docx filled by docxtpl.

Rendering runs with autoescape on, so a unit's "Bộ TT&TT" or "<b>" is printed as typed and
never breaks the document's XML; the body is built as RichText paragraphs whose styles are
the template's (BaoCaoMuc1..3, BaoCaoNoiDung).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm
from docxtpl import DocxTemplate, RichText, RichTextParagraph
from jinja2 import Environment

from bot.report.charts import CHART_WIDTH_CM
from bot.report.model import Chart, Document, Paragraph, SegmentKind
from bot.report.snippets import clean
from bot.report.unit_tables import appendix_xml
from templates.catalog import text

TEMPLATE_PACKAGE = "templates"
TEMPLATE_PATH = ("report", "report.docx")
PLACEHOLDER_FILL = "FFFF00"  # placeholders are shaded yellow: no one signs past one


def template_bytes(path: Path | None = None) -> bytes:
    """The Word template: `path`, or the one shipped in templates/report/."""
    if path is not None:
        return path.read_bytes()
    return resources.files(TEMPLATE_PACKAGE).joinpath(*TEMPLATE_PATH).read_bytes()


def _rich(paragraph: Paragraph) -> RichText:
    rich = RichText()
    for segment in paragraph.segments:
        if segment.kind is SegmentKind.LEAD:
            rich.add(segment.text, italic=True)
        elif segment.kind is SegmentKind.STRONG:
            rich.add(segment.text, bold=True)
        elif segment.kind is SegmentKind.GAP:
            rich.add(segment.text, bold=True, highlight=PLACEHOLDER_FILL)
        else:
            rich.add(segment.text)
    return rich


def body(paragraphs: list[Paragraph]) -> RichTextParagraph:
    """The body paragraphs as one docxtpl RichTextParagraph (one <w:p> each)."""
    out = RichTextParagraph()
    for paragraph in paragraphs:
        out.add(_rich(paragraph), parastyle=paragraph.style.value)
    return out


def context(doc: Document) -> dict[str, Any]:
    """What the Word template's tags read."""
    return {
        "parent_body": doc.parent_body,
        "issuing_body": doc.issuing_body,
        "number_line": doc.number_line,
        "place_date": doc.place_date,
        "subject": doc.subject,
        "body": body(doc.body),
        "closing": doc.closing,
        "recipients": list(doc.recipients),
        "signer_titles": list(doc.signer_titles),
        "signer_name": doc.signer_name,
    }


def _escape_all(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_escape_all(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_all(v) for k, v in value.items()}
    return value


def render_docx(doc: Document, template: Path | None = None) -> bytes:
    """The .docx file of a draft."""
    tpl = DocxTemplate(io.BytesIO(template_bytes(template)))
    env = Environment(autoescape=True)
    tpl.render(_escape_all(context(doc)), jinja_env=env, autoescape=True)
    if doc.charts:
        add_charts(tpl, doc.charts)
    out = io.BytesIO()
    tpl.save(out)
    if not doc.unit_tables:
        return out.getvalue()
    return with_appendix(out.getvalue(), appendix_xml(doc.unit_tables))


def add_charts(tpl: DocxTemplate, charts: Iterable[Chart]) -> None:
    """The appendix «Biểu đồ»: a new page, its title, then each chart's title and picture
    (python-docx appends before the page setup, so it comes before the per-unit tables)."""
    document = tpl.docx
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for key, italic in (("title", False), ("subtitle", True)):
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = heading.add_run(text(f"report.charts.{key}"))
        run.bold, run.italic = not italic, italic
    for index, chart in enumerate(charts, start=1):
        title = document.add_paragraph()
        title.paragraph_format.keep_with_next = True
        title.add_run(f"{index}. {chart.title}").bold = True
        picture = document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(io.BytesIO(chart.png), width=Cm(CHART_WIDTH_CM))
        if chart.note:
            picture.paragraph_format.keep_with_next = True
            document.add_paragraph().add_run(chart.note).italic = True


_BODY_PART = "word/document.xml"
_BATCH_CHARS = 1 << 18  # XML handed to the zip stream at a time


def _batched(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into strings of about _BATCH_CHARS: a write to a zip stream costs
    the same for a row as for a page of rows (50,000 rows of unit tables in a year draft)."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if size >= _BATCH_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def with_appendix(docx: bytes, pieces: Iterable[str]) -> bytes:
    """The .docx with `pieces` of body XML streamed in before the body's last section
    properties (the page setup), every other part copied as it is."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for item in source.infolist():
            if item.filename != _BODY_PART:
                target.writestr(item, source.read(item.filename))
                continue
            body = source.read(item.filename).decode("utf-8")
            cut = body.rindex("<w:sectPr")
            with target.open(_BODY_PART, "w") as stream:
                stream.write(body[:cut].encode("utf-8"))
                for batch in _batched(pieces):
                    stream.write(batch.encode("utf-8"))
                stream.write(body[cut:].encode("utf-8"))
    return out.getvalue()
