"""The dashboard in a real headless Chromium: `baocao web` on a seeded office's database, a
login with a one-time link from `baocao web-link`, the month's overview as a person sees it,
«Nhắc» pressed and the reminder found in the outbox, then every laggard reminded after the
confirmation page, the tickets page, the drafts page and a draft downloaded; the link refused
a second time, and a page without a session showing no data.

Chromium is Debian's package (`.ci/run` installs it), driven by Playwright with the system
browser's executable; where it is missing the test is skipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.runtime.build import catalog_of
from bot.tickets.saving import import_tickets
from bot.workspace.load import load_workspace
from domain.answers import Answer
from domain.calendar import current_period, deadline_at
from domain.obligations import Obligation, ObligationState
from storage import Database
from tests.support.dashboard import served_web, web_link

CHROMIUM = Path("/usr/bin/chromium")
ADMIN = "123456789"  # the starter config's office admin
FOCAL_CHAT = "77"
# BDT's parcels in the last three periods (oldest first): the figures page draws their trend.
PARCELS = ("11000", "11800", "12500")
DRAFT = b"PK a compiled draft"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


def _seed(office: Path) -> bool:
    """SYT has a focal point and owes its figures; BDT sent them. Whether SYT is late now."""
    workspace = load_workspace(office)
    catalog = catalog_of(workspace)
    now = datetime.now(UTC)
    period = current_period(now, catalog.regime)

    async def seed() -> None:
        async with await Database.open(workspace.settings.storage.path) as db, db.write() as tx:
            await tx.units.sync_all(list(workspace.units))
            await tx.focal_points.add("SYT", "telegram", FOCAL_CHAT, FOCAL_CHAT, "Chị Lan")
            await tx.obligations.ensure([Obligation("BDT", "buuchinh", period)])
            await tx.obligations.set_state(
                "BDT", "buuchinh", period.key, ObligationState.SUBMITTED, now, now
            )
            months = [period.previous().previous(), period.previous(), period]
            await tx.obligations.ensure([Obligation("BDT", "buuchinh", m) for m in months[:2]])
            for month, parcels in zip(months, PARCELS, strict=True):
                answer = Answer("BDT", "buuchinh", month.key, "san_luong", parcels, updated_at=now)
                await tx.answers.set(answer, f"telegram:{FOCAL_CHAT}")
            # A ticket SYT holds, overdue for weeks; one the import could not give to a unit.
            await import_tickets(
                tx,
                _tickets(now.date()),
                "phieu.csv",
                settings=workspace.settings.tickets,
                today=now.date(),
                changed_by="test",
            )
            await tx.periods.ensure(period)
            await tx.drafts.add(period, "BC_v1.docx", DRAFT, f"telegram:{ADMIN}", now)

    asyncio.run(seed())
    return now > deadline_at(period, catalog.regime)


def _tickets(today: date) -> bytes:
    received, due = (today - timedelta(days=d) for d in (60, 45))
    return (
        "Mã phiếu,Ngày tiếp nhận,Hạn xử lý,Đơn vị xử lý,Nội dung,Trạng thái\n"
        f"PA-7,{received:%d/%m/%Y},{due:%d/%m/%Y},Sở Y tế,Rác thải ở chợ,Đang xử lý\n"
        f"PA-8,{received:%d/%m/%Y},{due:%d/%m/%Y},Sở Y tếe,Nước đục,Đang xử lý\n"
    ).encode()


def _outbox(office: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(office.parent / "baocao.sqlite3") as con:
        return list(con.execute("SELECT chat_id, payload FROM outbox ORDER BY id"))


def test_the_office_signs_in_sees_the_month_and_reminds_a_unit(
    office: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    late = _seed(office)
    root = hasattr(os, "geteuid") and os.geteuid() == 0  # Chromium's sandbox refuses root
    with served_web(office) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"] if root else []
        )
        try:
            stranger = browser.new_page()
            stranger.goto(f"{base}/web/")
            assert stranger.url == f"{base}/web/welcome"
            assert stranger.locator("h1").inner_text() == "Cần đăng nhập"
            assert "Sở Y tế" not in stranger.content()
            stranger.goto(f"{base}/web/files/1")
            assert stranger.url == f"{base}/web/welcome"

            link = web_link(office, ADMIN, base)
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            page.goto(link)
            page.wait_for_url(f"{base}/web/")
            syt, bdt = page.locator("#unit-SYT"), page.locator("#unit-BDT")
            assert "Sở Y tế" in syt.inner_text() and "Chị Lan" in syt.inner_text()
            assert syt.locator(".state").inner_text() == ("Quá hạn" if late else "Chưa bắt đầu")
            assert "Bưu điện tỉnh Trà Vinh" in bdt.inner_text()
            assert bdt.locator(".state").inner_text() == "Đã nộp"
            assert bdt.locator("button").count() == 0  # nothing to remind a unit that sent
            page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

            assert _outbox(office) == []
            syt.locator("button", has_text="Nhắc").click()
            page.wait_for_selector("#notice")
            assert "Sở Y tế" in page.locator("#notice").inner_text()
            ((chat, payload),) = _outbox(office)
            assert chat == FOCAL_CHAT and "Sở Y tế" in json.loads(payload)["text"]
            assert page.locator("#unit-SYT .reminded").inner_text() != "—"

            page.locator("#remind-all").click()  # every laggard: asked first, as /nhacnho
            page.wait_for_selector("#confirm")
            assert "Sở Y tế" in page.locator(".names").inner_text()
            assert "Bưu điện" not in page.locator(".names").inner_text()
            assert len(_outbox(office)) == 1
            page.locator("#confirm-button").click()
            page.wait_for_selector("#notice")
            assert page.locator("#notice").get_attribute("data-done") == "remind_all"
            (_, (chat, payload)) = _outbox(office)
            assert chat == FOCAL_CHAT and "Sở Y tế" in json.loads(payload)["text"]
            assert "(2 lần)" in page.locator("#unit-SYT .reminded").inner_text()

            # The form's figures, from the overview's link: BDT's parcels, then their trend.
            page.locator("#forms-link").click()
            page.locator("#forms a", has_text="Hoạt động bưu chính").click()
            bdt_figures = page.locator("#figures #unit-BDT")
            assert "Bưu điện tỉnh Trà Vinh" in bdt_figures.inner_text()
            assert "12.500" in bdt_figures.inner_text()
            assert "12.500" in page.locator("#totals").inner_text()
            page.locator("#figures th a", has_text="Sản lượng bưu gửi").click()
            chart = page.locator("svg#chart")
            assert chart.is_visible() and chart.locator("circle").count() == 3
            assert "12.500" in chart.locator("circle title").last.text_content()
            page.screenshot(path=str(tmp_path / "figures.png"), full_page=True)

            page.locator("nav.site-nav a", has_text="Phiếu phản ánh").click()
            page.wait_for_url(f"{base}/web/tickets?period=**")
            held = page.locator("#ticket-PA-7")
            assert "Rác thải ở chợ" in held.inner_text() and "Chưa trả lời" in held.inner_text()
            assert "Sở Y tế" in page.locator("#unit-SYT h3").inner_text()
            assert "/giao PA-8 SYT" in page.locator("#unassigned-PA-8").inner_text()
            page.screenshot(path=str(tmp_path / "tickets.png"), full_page=True)

            page.locator("nav.site-nav a", has_text="Bản tổng hợp").click()
            page.wait_for_url(f"{base}/web/drafts?period=**")
            draft = page.locator("#draft-1")
            assert "BC_v1.docx" in draft.inner_text() and "Còn đúng" in draft.inner_text()
            page.screenshot(path=str(tmp_path / "drafts.png"), full_page=True)
            with page.expect_download() as download:
                draft.locator("a", has_text="Tải về").click()
            assert download.value.suggested_filename == "BC_v1.docx"
            assert Path(download.value.path()).read_bytes() == DRAFT

            again = browser.new_page()
            again.goto(link)
            assert again.locator("h1").inner_text() == "Không được phép"
            assert "đã được dùng" in again.content() and "Sở Y tế" not in again.content()
        finally:
            browser.close()
