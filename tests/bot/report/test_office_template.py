"""The office's own Word template: `baocao template export` copies the packaged one beside
the config, the drafts use the copy from then on, and a second export keeps it."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document as open_document

from bot.cli.main import main
from bot.report import compile_draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import full_text, open_docx
from tests.support.sample_data import COMPILED_AT

MARK = "Văn phòng đã sửa bản mẫu này"


async def test_the_draft_uses_the_office_copy(
    sample_dir: Path,
    sample_db: Database,
    sample_workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = str(sample_dir / "config.toml")
    assert main(["template", "export", "--config", config]) == 0
    copy = sample_dir / "templates" / "report.docx"
    assert f"Đã ghi {copy}" in capsys.readouterr().out
    edited = open_document(str(copy))
    edited.paragraphs[0].insert_paragraph_before(MARK)
    edited.save(str(copy))
    # A second export keeps the office's edits.
    assert main(["template", "export", "--config", config]) == 1
    assert "--force" in capsys.readouterr().err
    draft = await compile_draft(sample_db, sample_workspace, Period(2022, 2), COMPILED_AT)
    text = full_text(open_docx(draft.docx))
    assert MARK in text and "Số địa điểm gắn bảng quét mã QR" in text
