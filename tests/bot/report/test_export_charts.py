"""The export carries the draft's trend charts: a sheet «Biểu đồ» with a PNG per key figure,
under its title, that openpyxl and LibreOffice open; none with `charts = false` or with
fewer than 3 periods of data."""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

import bot.report.export as export_module
import bot.report.tickets_source as tickets_source
from bot.report import export_xlsx
from bot.report.compile import export_workbook
from bot.workspace.load import Workspace
from bot.workspace.report_spec import spec_for
from domain.periods import Period
from domain.report import ReportSpec
from storage import Database
from tests.support.sample_data import COMPILED_AT
from tests.support.sample_history import add_december

FEBRUARY = Period(2022, 2)
SHEET = "Biểu đồ"
CHARTED = ("iOffice", "văn bản đi", "ký số")  # the sample's three charted figures
SOFFICE = shutil.which("soffice")


def _targets(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Every internal relationship of the package: (its part, the part it points to)."""
    found = []
    for rels in [n for n in book.namelist() if n.endswith(".rels")]:
        folder = posixpath.dirname(posixpath.dirname(rels))  # "xl/drawings/_rels" -> "xl/drawings"
        for target in re.findall(r'Target="([^"]+)"', book.read(rels).decode()):
            found.append((rels, posixpath.normpath(posixpath.join(folder, target))))
    return found


async def test_the_export_has_a_sheet_of_the_key_figures_charts(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    data = await export_xlsx(sample_db, sample_workspace, FEBRUARY)
    book = load_workbook(io.BytesIO(data))
    assert SHEET in book.sheetnames
    sheet = book[SHEET]
    assert len(sheet._images) == 3
    for image in sheet._images:
        assert image._data().startswith(b"\x89PNG")
        assert image.width > image.height  # the chart's proportions, 900 x 390 pixels
    titles = [sheet.cell(row=image.anchor._from.row, column=1).value for image in sheet._images]
    for title, word in zip(titles, CHARTED, strict=True):
        assert title.startswith(("1. ", "2. ", "3. ")) and word.lower() in title.lower()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = set(package.namelist())
        assert {f"xl/media/image{n}.png" for n in (1, 2, 3)} <= names
        assert {"xl/drawings/drawing1.xml", "xl/drawings/_rels/drawing1.xml.rels"} <= names
        for rels, target in _targets(package):
            assert target in names, (rels, target)
        types = package.read("[Content_Types].xml").decode()
        assert 'Extension="png" ContentType="image/png"' in types
        assert 'PartName="/xl/drawings/drawing1.xml"' in types


async def test_no_chart_sheet_with_two_months_of_data(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    data = await export_xlsx(sample_db, sample_workspace, FEBRUARY)
    assert SHEET not in load_workbook(io.BytesIO(data)).sheetnames
    assert not any(n.startswith("xl/media/") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())


async def test_no_chart_sheet_with_charts_switched_off(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    config = sample_workspace.settings.source.parent / "report.toml"
    config.write_text("charts = false\n" + config.read_text(encoding="utf-8"), "utf-8")
    data = await export_xlsx(sample_db, sample_workspace, FEBRUARY)
    assert SHEET not in load_workbook(io.BytesIO(data)).sheetnames


async def test_a_wrong_report_toml_leaves_the_charts_out_not_the_export(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path
) -> None:
    await add_december(sample_db, sample_workspace, sample_dir)
    config = sample_workspace.settings.source.parent / "report.toml"
    config.write_text("charts = 3\n" + config.read_text(encoding="utf-8"), "utf-8")
    book = load_workbook(io.BytesIO(await export_xlsx(sample_db, sample_workspace, FEBRUARY)))
    assert SHEET not in book.sheetnames and len(book.sheetnames) > 3


def _to_pdf(source: Path) -> subprocess.CompletedProcess[bytes]:
    folder = str(source.parent)
    return subprocess.run(
        [str(SOFFICE), "--headless", "--convert-to", "pdf", "--outdir", folder, str(source)],
        capture_output=True,
        timeout=180,
    )


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
async def test_libreoffice_prints_the_charts(
    sample_db: Database, sample_workspace: Workspace, sample_dir: Path, tmp_path: Path
) -> None:
    # soffice with Writer alone (no Calc) loads no workbook at all: a workbook of openpyxl's
    # tells that apart from a workbook of ours that LibreOffice refuses.
    probe = tmp_path / "probe.xlsx"
    Workbook().save(probe)
    _to_pdf(probe)
    if not probe.with_suffix(".pdf").exists():
        pytest.skip("LibreOffice has no spreadsheet component (Calc)")
    await add_december(sample_db, sample_workspace, sample_dir)
    source = tmp_path / "export.xlsx"
    source.write_bytes(await export_xlsx(sample_db, sample_workspace, FEBRUARY))
    done = _to_pdf(source)
    assert source.with_suffix(".pdf").exists(), done.stderr.decode()
    listed = subprocess.run(
        ["pdfimages", "-list", str(source.with_suffix(".pdf"))],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode()
    images = [line.split() for line in listed.splitlines()[2:]]
    # A picture across a page break is listed on both pages: the same PDF object.
    charts = {row[10] for row in images if row[2] == "image" and row[3:5] == ["900", "390"]}
    assert len(charts) == 3, listed


async def test_the_export_reads_report_toml_once(
    sample_db: Database,
    sample_workspace: Workspace,
    sample_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its hotline figures and its charts come from one reading of the declaration, so the
    # two can never disagree about a file changed in between.
    await add_december(sample_db, sample_workspace, sample_dir)
    reads: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> ReportSpec:
        reads.append(args)
        return spec_for(*args, **kwargs)

    monkeypatch.setattr(tickets_source, "spec_for", counted)
    monkeypatch.setattr(export_module, "spec_for", counted)
    data = await export_workbook(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert len(reads) == 1
    assert len(load_workbook(io.BytesIO(data))[SHEET]._images) == 3
