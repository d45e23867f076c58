"""Word opens a file only if each table's properties come in the order the Office Open XML
schema gives (CT_TblPr), each at most once; LibreOffice forgives what Word may call
unreadable content. Checked in the template, a compiled draft and its review sheet."""

from __future__ import annotations

import io
import re
import zipfile
from importlib import resources

from lxml import etree

from bot.report import compile_draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.sample_data import COMPILED_AT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# ECMA-376 Part 1, 17.4.60 tblPr (CT_TblPr): its children's sequence.
TBL_PR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)


_PARTS = r"word/(document|header\d*|footer\d*)\.xml"


def table_property_problems(docx: bytes) -> list[str]:
    """Each table (of the body, the headers and the footers) whose tblPr children are out
    of the schema's order or repeated."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = [n for n in archive.namelist() if re.fullmatch(_PARTS, n)]
        for part in parts:
            root = etree.fromstring(archive.read(part))
            for number, props in enumerate(root.iter(f"{W}tblPr"), start=1):
                names = [child.tag.removeprefix(W) for child in props]
                places = [TBL_PR_ORDER.index(n) for n in names if n in TBL_PR_ORDER]
                if places != sorted(set(places)) or len(places) != len(names):
                    problems.append(f"{part} table {number}: {names}")
    return problems


def test_the_shipped_template_has_its_table_properties_in_schema_order() -> None:
    template = resources.files("templates").joinpath("report/report.docx").read_bytes()
    assert table_property_problems(template) == []


async def test_a_draft_and_its_review_sheet_have_them_in_schema_order(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, Period(2022, 2), COMPILED_AT)
    assert table_property_problems(draft.docx) == []
    assert table_property_problems(draft.review_docx) == []


def test_the_check_sees_a_repeated_or_misplaced_property() -> None:
    def docx_with(props: str) -> bytes:
        table = f"<w:tbl><w:tblPr>{props}</w:tblPr></w:tbl>"
        header = f'<w:hdr xmlns:w="{W[1:-1]}">{table}</w:hdr>'
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("word/document.xml", f'<w:document xmlns:w="{W[1:-1]}"/>')
            archive.writestr("word/header1.xml", header)
        return out.getvalue()

    assert table_property_problems(docx_with("<w:tblW/><w:tblLayout/><w:tblLook/>")) == []
    assert table_property_problems(docx_with("<w:tblLayout/><w:tblLook/><w:tblLayout/>"))
    assert table_property_problems(docx_with("<w:tblLook/><w:tblBorders/>"))
