"""The draft as Markdown, for a quick look in chat or a terminal: the same Document as the
Word file, rendered by templates/report/report.md.j2."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from bot.report.docx import context
from bot.report.model import Document, Paragraph, SegmentKind
from bot.report.snippets import clean
from templates.catalog import text

# Characters that would turn a unit's text into Markdown or HTML markup.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def md(value: Any) -> str:
    """Text escaped for Markdown: printed as typed, never as markup."""
    line = clean(str(value)).replace("\n", " ")
    return _SPECIAL.sub(r"\\\1", line)


def _segments(paragraph: Paragraph) -> str:
    out = []
    for segment in paragraph.segments:
        shown = md(segment.text)
        if segment.kind is SegmentKind.LEAD and shown.strip():
            shown = f"*{shown.strip()}*"
        elif segment.kind in (SegmentKind.GAP, SegmentKind.STRONG) and shown.strip():
            shown = f"**{shown}**"
        out.append(shown)
    line = "".join(out).strip()
    # A leading "- " or "+ " is the office's own dash, not a Markdown list.
    return "\\" + line if line[:1] in "-+*" else line


def _unit_tables(doc: Document) -> str:
    """The per-unit appendix as Markdown tables (joined in Python: a big office's tables
    have hundreds of thousands of cells, too many for a template loop)."""
    if not doc.unit_tables:
        return ""

    def t(key: str) -> str:
        return text(f"report.unit_tables.{key}")

    out = ["\n---\n", f"## {t('title')}\n", f"*{t('subtitle')}*\n"]
    for index, table in enumerate(doc.unit_tables, start=1):
        columns = " | ".join(md(c) for c in table.columns)
        out.append(f"\n### {index}. {md(table.title)}\n")
        out.append(f"| {t('col_no')} | {t('col_unit')} | {columns} |")
        out.append("|---:|---|" + "---:|" * len(table.columns))
        for number, (name, cells) in enumerate(table.rows, start=1):
            out.append(f"| {number} | {md(name)} | " + " | ".join(cells) + " |")
        totals = " | ".join(f"**{c}**" if c else "" for c in table.totals)
        out.append(f"| | **{t('total')}** | {totals} |")
    return "\n".join(out) + "\n"


@cache
def _template() -> Template:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    env.filters["md"] = md
    env.filters["segments"] = _segments
    source = resources.files("templates").joinpath("report", "report.md.j2")
    return env.from_string(source.read_text(encoding="utf-8"))


def render_markdown(doc: Document) -> str:
    """The Markdown preview of a draft."""
    values = context(doc)
    values["body"] = doc.body
    values["unit_tables"] = _unit_tables(doc)
    rendered = _template().render(
        values,
        draft_mark=text("report.draft_mark"),
        title=text("report.title"),
        recipients_title=text("report.recipients_title"),
    )
    return re.sub(r"\n{3,}", "\n\n", rendered)
