"""The draft's layout renders the same in Word and LibreOffice: table grids equal to the
cells' widths, the signature block kept whole with the closing sentence, the draft mark on
every page; checked in the .docx, and (where LibreOffice is installed) in the PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx.oxml.ns import qn

from bot.report import compile_draft
from bot.report.compile import Draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import find, open_docx
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)
SOFFICE = shutil.which("soffice")


@pytest.fixture
async def draft(sample_db: Database, sample_workspace: Workspace) -> Draft:
    return await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)


def _tables(draft: Draft) -> list:  # type: ignore[type-arg]
    doc = open_docx(draft.docx)
    section = doc.sections[0]
    return [*doc.tables, *section.header.tables, *section.first_page_header.tables]


async def test_every_grid_equals_its_cells(draft: Draft) -> None:
    for table in _tables(draft):
        tbl = table._tbl
        grid = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        for row in tbl.findall(qn("w:tr")):
            cells = [
                int(tc.find(qn("w:tcPr")).find(qn("w:tcW")).get(qn("w:w")))
                for tc in row.findall(qn("w:tc"))
            ]
            assert all(abs(a - b) <= 1 for a, b in zip(cells, grid, strict=True)), (grid, cells)
    header = _tables(draft)[0]
    left, right = (int(c.get(qn("w:w"))) for c in header._tbl.tblGrid.findall(qn("w:gridCol")))
    assert left < right  # the agency's column is the narrower one


async def test_signature_block_stays_whole_with_the_closing(draft: Draft) -> None:
    doc = open_docx(draft.docx)
    closing = find(doc, "Trên đây là kết quả công tác")
    assert closing.paragraph_format.keep_with_next
    signature = doc.tables[1]
    for row in signature.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert "- Lưu: VT." in signature.rows[0].cells[0].text
    assert "Nguyễn Văn Chuẩn" in signature.rows[0].cells[1].text


async def test_names_as_configured(draft: Draft) -> None:
    text = "\n".join(p.text for p in open_docx(draft.docx).paragraphs)
    assert "Sở Thông tin và Truyền thông" in text
    assert "Sở Thông Tin Và Truyền Thông" not in text


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
async def test_libreoffice_renders_the_header_and_signature(draft: Draft, tmp_path: Path) -> None:
    source = tmp_path / "draft.docx"
    source.write_bytes(draft.docx)
    subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pages = _pdf_pages(tmp_path / "draft.pdf")
    # The national title on one line, beside the parent body (not wrapped).
    title = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert any(line.strip().endswith(title) for line in pages[0].splitlines())
    # The agency's name on one line too, beside the motto.
    agency = "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    assert any(line.strip().startswith(agency) for line in pages[0].splitlines())
    assert all("DỰ THẢO" in page for page in pages)
    assert "2" in pages[1].splitlines()[0] and "2" not in pages[0].splitlines()[0]
    signed = [page for page in pages if "Nguyễn Văn Chuẩn" in page]
    assert len(signed) == 1
    page = signed[0]
    assert "Nơi nhận:" in page and "- Lưu: VT." in page and "KT. GIÁM ĐỐC" in page
    assert "Trên đây là kết quả công tác" in page


def _pdf_pages(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode()
    return [page for page in out.split("\f") if page.strip()]
