"""The sample draft keeps the original report's structure: every bullet of the original is a
paragraph of its own, numbered plans count 1..6, emphasised figures are bold."""

from __future__ import annotations

import re

from bot.report import compile_draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import open_docx
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)

# Paragraphs under each heading of the original report (Trà Vinh, February 2022), counted by
# hand from the original: each «-», «+», «*» item, each numbered plan item and each plain
# paragraph once (a paragraph the original's page break cut in two counted once). I.1: 3
# dashes of advice, the IT-for-Covid dash, «Khai báo» and its text, 5 starred platforms, the
# hotline's label and total, 7 channels, 5 dashes/pluses of results, 21 units, 3 closing
# dashes = 51. Section III: the intro and the plans 1-6.
ORIGINAL = {
    "I.": 0, "1. Công tác tham mưu": 51, "2. Lĩnh vực bưu chính": 3,
    "3. Lĩnh vực viễn thông": 6, "4. Lĩnh vực ứng dụng": 7, "5. Lĩnh vực An toàn": 1,
    "6. Lĩnh vực thông tin": 0, "6.1.": 2, "6.2.": 1, "6.3.": 1, "II.": 0,
    "1. Hoạt động của Lãnh đạo": 4, "2. Công tác Văn phòng": 3, "3. Công tác thanh tra": 3,
    "III.": 7,
}  # fmt: skip
# The sample's data set leaves UBND xã Hiếu Tử's overdue count out: the draft lists it as a
# placeholder line in the overdue units (a line the original does not have).
PLACEHOLDER_LINES = {"1. Công tác tham mưu": 1}
HEADINGS = ("BaoCaoMuc1", "BaoCaoMuc2", "BaoCaoMuc3")


def _sections(paragraphs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Body paragraphs under each heading (up to the closing paragraph)."""
    found: dict[str, list[str]] = {}
    current = None
    for style, text in paragraphs:
        if style in HEADINGS:
            current = next((key for key in ORIGINAL if text.startswith(key)), text)
            found[current] = []
        elif current is not None and style == "BaoCaoNoiDung":
            if text.startswith("Trên đây là"):
                break
            found[current].append(text)
    return found


async def test_each_section_has_the_original_paragraphs(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    doc = open_docx(draft.docx)
    sections = _sections([(p.style.name, p.text) for p in doc.paragraphs])
    counts = {key: len(lines) for key, lines in sections.items()}
    expected = {key: n + PLACEHOLDER_LINES.get(key, 0) for key, n in ORIGINAL.items()}
    assert counts == expected
    plans = sections["III."][1:]
    assert [re.match(r"\d+\.", line)[0] for line in plans] == [f"{n}." for n in range(1, 7)]  # type: ignore[index]


async def test_emphasised_figures_are_bold(
    sample_db: Database, sample_workspace: Workspace
) -> None:
    draft = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    doc = open_docx(draft.docx)
    ioffice = next(p for p in doc.paragraphs if "VNPT-iOffice" in p.text)
    bold = [run.text for run in ioffice.runs if run.bold]
    assert bold == ["7.401", "17.084", "13.811", "80,84%"]
    mail = next(p for p in doc.paragraphs if "Hệ thống thư điện tử công vụ" in p.text)
    assert [run.text for run in mail.runs if run.bold] == ["7.790"]  # 6 new boxes: plain
