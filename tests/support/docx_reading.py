"""Reading a compiled .docx back: all its text, and the effective font of a run."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Length
from docx.text.paragraph import Paragraph
from docx.text.run import Run


def open_docx(data: bytes) -> DocumentObject:
    """The document of .docx bytes."""
    return Document(io.BytesIO(data))


def all_paragraphs(doc: DocumentObject) -> list[Paragraph]:
    """Body paragraphs and those inside tables, in order."""
    found = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found


def full_text(doc: DocumentObject) -> str:
    """Every paragraph's text, one per line."""
    return "\n".join(p.text for p in all_paragraphs(doc))


def font_name(run: Run, paragraph: Paragraph) -> str | None:
    """The font a run is shown in: its own, else its paragraph style's (or their bases)."""
    if run.font.name:
        return run.font.name
    style = paragraph.style
    while style is not None:
        if style.font.name:
            return style.font.name
        style = style.base_style
    return None


def font_size(run: Run, paragraph: Paragraph) -> float | None:
    """The size in points a run is shown at."""
    size: Length | None = run.font.size
    style = paragraph.style
    while size is None and style is not None:
        size = style.font.size
        style = style.base_style
    return None if size is None else size.pt


def find(doc: DocumentObject, text: str) -> Paragraph:
    """The first paragraph whose text contains `text`."""
    for paragraph in all_paragraphs(doc):
        if text in paragraph.text:
            return paragraph
    raise AssertionError(f"no paragraph with {text!r}")


def table_lines(data: bytes) -> list[str]:
    """Every table row of a .docx as a Markdown-like line: "| 1 | Phòng B | … |"."""
    return [
        "| " + " | ".join(cell.text for cell in row.cells) + " |"
        for table in open_docx(data).tables
        for row in table.rows
    ]
