# ruff: noqa: E501 (sentences quoted whole from the sample report)
"""The sample data set compiled: the figures of the Trà Vinh February 2022 report, its own
mistakes found, and the Decree 30/2020 layout read back from the .docx."""

from __future__ import annotations

import re

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from bot.report import compile_draft
from bot.report.compile import Draft
from bot.workspace.load import Workspace
from domain.periods import Period
from storage import Database
from tests.support.docx_reading import find, font_name, font_size, full_text, open_docx
from tests.support.sample_data import COMPILED_AT

FEBRUARY = Period(2022, 2)

# Figures as the sample report prints them (sections I.1 to I.6 and II.3), in the draft's
# wording. Where the sample is wrong the draft prints the right figure (see the warnings).
SAMPLE_FIGURES = [
    "Số địa điểm gắn bảng quét mã QR tăng trong tháng: 391 điểm",
    "lũy kế đến thời điểm hiện tại đạt 24.969 điểm",
    "lũy kế lượt quét đến 13/02/2022 là 1.924.862 lượt quét, tăng 164.320 lượt quét so với tháng trước",
    "Trong tháng tăng 3.310 lượt cài đặt. Lũy kế đến ngày 13/02/2022 là 205.200 lượt cài đặt",
    "đạt 20,33% so dân số (tăng 0,32% so với tháng trước)",
    "(552.581 số smartphone đang hoạt động trên địa bàn tỉnh)",
    "lũy kế đến ngày 13/02/2022 đạt 154.206 lượt tải và cài đặt, tăng 4.863 lượt so với tháng trước",
    "mũi tiêm thực tế đến ngày 13/02/2022 là 1.863.472/1.884.135 đạt 98,90% tổng mũi tiêm",
    "(số mũi đã tiêm trong tháng là 273.783)",
    "Tổng số phản ánh đã tiếp nhận trong tháng: 1",
    "+ Qua tổng đài 1022: 1;",
    "+ Facebook: 0.",
    "Từ 16 giờ ngày 03/12/2021 đến 16 giờ ngày 13/02/2022 tiếp nhận: 158",
    "+ Đã xử lý: 52 phản ánh;",
    "+ Đang xử lý: 106 (trong đó: 105 phiếu trễ hạn);",
    "Đến nay có 38.850 hộ sản xuất nông nghiệp",
    "Postmart.vn (26 hộ) và Voso.vn (38.824 hộ) với 671 loại sản phẩm",
    "Tổng số người dùng trên hệ thống là 7.401. Tổng văn bản đi trong tháng: 17.084, ký số 13.811 văn bản (tỷ lệ 80,84%)",
    "cấp mới 259 chứng thư số, nâng tổng số 2.361 chứng thư số (472 chứng thư số tổ chức; 1.914 chứng thư số cá nhân (1.236 USB, 80 SIM PKI))",
    "trong tháng tạo mới 6 hộp thư",
    "cấp cho cán bộ, công chức, viên chức là 7.790",
    "cung cấp 1.858 dịch vụ công, mức 3: 571 dịch vụ (chiếm tỷ lệ 30,73%); mức 4: 1.057 dịch vụ (chiếm tỷ lệ 56,89%)",
    "đã tiếp nhận 16.828 hồ sơ (15.203 trực tiếp, 1.625 trực tuyến), đã giải quyết 16.113 hồ sơ",
    "dịch vụ công mức 4 tiếp nhận 10.277 hồ sơ (8.694 trực tiếp, 1.583 trực tuyến (tỷ lệ 15,40%))",
    "Rà soát, công khai 1.415 thủ tục hành chính",
    "Hỗ trợ vận hành 10 cuộc họp",
    "Họp trực tuyến hội nghị truyền hình: 13 cuộc, với 599 điểm cầu; Họp qua hệ thống Jitsi meet: 5 cuộc, với 168 điểm cầu",
    "Trong tháng, cấp 22 (trực tuyến) giấy phép xuất bản tài liệu không kinh doanh, nâng tổng số từ đầu năm đến nay là 38 giấy phép",
    "đăng tải: 16 tin bài, văn bản, trong đó đăng 03 tin bài; 03 văn bản chỉ đạo điều hành; 02 kế hoạch; 02 báo cáo thống kê",
    "- Tiếp nhận đơn tố cáo: Không có.",
    "III. KẾ HOẠCH CÔNG TÁC THÁNG 3 NĂM 2022",
    "Trên đây là kết quả công tác thông tin và truyền thông tháng 02 năm 2022 và kế hoạch công tác tháng 3 năm 2022; Sở Thông tin và Truyền thông Trà Vinh báo cáo",
]
# The units holding overdue tickets, in the sample's order, with their counts (sum: 105).
OVERDUE = [
    ("Văn phòng UBND tỉnh", 6), ("Sở Y tế", 69), ("UBND Thị trấn Long Thành", 1),
    ("UBND Phường 6", 4), ("UBND Phường 4", 3), ("UBND xã Đôn Xuân", 2),
    ("UBND xã Hòa Lợi", 2), ("UBND xã Song Lộc", 1), ("UBND xã Long Đức", 2),
    ("UBND Phường 8", 1), ("UBND Phường 9", 2), ("UBND xã Thanh Mỹ", 1),
    ("UBND xã Tân Sơn", 1), ("Phòng Y tế huyện Châu Thành", 1), ("UBND Phường 1", 1),
    ("UBND xã Long Sơn", 1), ("UBND xã Long Hiệp", 1), ("UBND xã Đa Lộc", 2),
    ("UBND xã Đại An", 1), ("UBND xã Nguyệt Hóa", 2), ("UBND xã Đông Hải", 1),
]  # fmt: skip


@pytest.fixture
async def draft(sample_db: Database, sample_workspace: Workspace) -> Draft:
    return await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


async def test_the_draft_has_every_figure_of_the_sample(draft: Draft) -> None:
    text = _flat(full_text(open_docx(draft.docx)))
    missing = [figure for figure in SAMPLE_FIGURES if figure not in text]
    assert missing == []
    markdown = _flat(draft.markdown.replace("\\", "").replace("**", ""))  # bold figures
    assert [figure for figure in SAMPLE_FIGURES if figure not in markdown] == []


async def test_overdue_tickets_by_unit_in_the_units_order(draft: Draft) -> None:
    text = full_text(open_docx(draft.docx))
    positions = [text.index(f"+ {name}: {count};") for name, count in OVERDUE]
    assert positions == sorted(positions)
    assert sum(count for _, count in OVERDUE) == 105
    assert [(line.unit, line.count) for line in draft.document.overdue] == OVERDUE


async def test_warnings_find_the_samples_own_mistakes(draft: Draft) -> None:
    texts = [w.text for w in draft.document.warnings]
    assert any("472 + 1.914 = 2.386" in t and "2.361" in t for t in texts)
    assert any("42 / 5.642 = 0,74%" in t and "0,75%" in t for t in texts)
    # A third one the sample has: 205.200 / 552.581 is 37,13%, typed as 37,14%.
    assert any("205.200 / 552.581 = 37,13%" in t and "37,14%" in t for t in texts)
    assert len(texts) == 3
    certificates = next(w for w in draft.document.warnings if "2.386" in w.text)
    assert certificates.explanation and "rà soát" in certificates.explanation
    # The draft prints the computed ratio, not the mistyped one.
    assert "42 trực tuyến (tỷ lệ 0,74%)" in full_text(open_docx(draft.docx))
    review = full_text(open_docx(draft.review_docx))
    assert "472 + 1.914 = 2.386, nhưng «tổng số chứng thư số» là 2.361" in review


async def test_units_not_reporting_late_and_gaps(draft: Draft) -> None:
    doc = draft.document
    assert [line.unit for line in doc.not_reported] == ["UBND xã Hiếu Tử"]
    assert [line.unit for line in doc.late] == ["Sở Y tế"]
    assert "16/02/2022" in doc.late[0].detail
    assert [(g.section, g.units) for g in doc.gaps] == [("I.1", ("UBND xã Hiếu Tử",))]
    text = full_text(open_docx(draft.docx))
    assert "[chưa có số liệu: UBND xã Hiếu Tử]" in text
    assert (doc.units_reported, doc.units_total) == (30, 31)
    assert "30/31 đơn vị đã báo cáo; 1 số liệu còn thiếu; 3 số liệu chưa khớp" in draft.summary


async def test_each_compile_is_a_new_stored_version(
    sample_db: Database, sample_workspace: Workspace, draft: Draft
) -> None:
    second = await compile_draft(sample_db, sample_workspace, FEBRUARY, COMPILED_AT)
    assert (draft.version, second.version) == (1, 2)
    assert second.file_name == "BC-STTTT-VP_2022-02_v2.docx"
    async with sample_db.read() as r:
        stored = await r.drafts.latest(FEBRUARY)
    assert stored is not None and stored.version == 2 and stored.content == second.docx
    assert stored.file_name == second.file_name


async def test_header_per_decree_30(draft: Draft) -> None:
    doc = open_docx(draft.docx)
    parent = find(doc, "UBND TỈNH TRÀ VINH")
    issuing = find(doc, "SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    assert not any(r.bold for r in parent.runs) and all(r.bold for r in issuing.runs)
    assert 12 <= font_size(parent.runs[0], parent) <= 13  # type: ignore[operator]
    number = find(doc, "Số:")
    assert re.fullmatch(r"Số:\s+/BC-STTTT-VP", number.text)  # the number is left blank
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    dated = find(doc, "Trà Vinh, ngày")
    assert re.fullmatch(r"Trà Vinh, ngày\s+tháng 02 năm 2022", dated.text)
    assert all(r.italic for r in dated.runs)
    # "Số" and the date are on the same line: the same row of the header table.
    row = doc.tables[0].rows[1]
    assert "Số:" in row.cells[0].text and "Trà Vinh, ngày" in row.cells[1].text
    nation = find(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = find(doc, "Độc lập - Tự do - Hạnh phúc")
    assert all(r.bold for r in nation.runs + motto.runs)
    assert 12 <= font_size(nation.runs[0], nation) <= 13  # type: ignore[operator]
    assert 13 <= font_size(motto.runs[0], motto) <= 14  # type: ignore[operator]
    # A solid rule under the motto and under the issuing body: a top border right after.
    for above in (motto, issuing):
        rule = above._p.getnext()
        assert rule is not None and rule.find(qn("w:pPr")).find(qn("w:pBdr")) is not None
    title = find(doc, "BÁO CÁO")
    subject = find(doc, "kết quả công tác thông tin và truyền thông tháng 02 năm 2022")
    assert all(r.bold for r in title.runs + subject.runs)
    assert subject.alignment == WD_ALIGN_PARAGRAPH.CENTER


async def test_page_fonts_and_body_layout(draft: Draft) -> None:
    doc = open_docx(draft.docx)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    body = find(doc, "Số địa điểm gắn bảng quét mã QR")
    assert body.style.name == "BaoCaoNoiDung"
    fmt = body.style.paragraph_format
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 1.0 <= fmt.first_line_indent.cm <= 1.27
    assert fmt.space_after.pt >= 6
    assert 1.0 <= fmt.line_spacing <= 1.5
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            if run.text.strip():
                assert font_name(run, paragraph) == "Times New Roman", run.text
                assert 11 <= (font_size(run, paragraph) or 0) <= 14, run.text
    assert find(doc, "I. CÔNG TÁC QUẢN LÝ NHÀ NƯỚC").style.font.bold


async def test_page_numbers_from_page_two_and_draft_mark(draft: Draft) -> None:
    section = open_docx(draft.docx).sections[0]
    assert section.different_first_page_header_footer
    header = section.header._element.xml
    assert "PAGE" in header and 'w:fldCharType="begin"' in header
    number = next(p for p in section.header.tables[0].rows[0].cells[1].paragraphs)
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    first = section.first_page_header
    assert "PAGE" not in first._element.xml
    # The draft mark on every page: the first page's header and the others'.
    for each in (first, section.header):
        assert each.tables[0].rows[0].cells[2].text == "DỰ THẢO"


async def test_recipients_and_signature(draft: Draft) -> None:
    doc = open_docx(draft.docx)
    left, right = doc.tables[1].rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text]
    assert lines[0] == "Nơi nhận:"
    heading = left.paragraphs[0]
    assert all(r.bold and r.italic for r in heading.runs)
    assert font_size(heading.runs[0], heading) == 12
    assert lines[1] == "- Bộ TT&TT (b/c);"  # "&" survives autoescaping
    assert lines[-1] == "- Lưu: VT."
    recipient = next(p for p in left.paragraphs if p.text.startswith("- Cục PTTT & TTĐT"))
    assert font_size(recipient.runs[0], recipient) == 11
    signer = [p for p in right.paragraphs if p.text]
    assert [p.text for p in signer] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn Chuẩn"]
    assert all(r.bold for p in signer for r in p.runs)
