"""The drafts page: a period's compiled versions, current or stale, and their download for
a signed-in member of the office only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.web.auth import COOKIE
from bot.web.drafts_page import DOCX, XLSX, _download
from domain.periods import Period
from handlers.events import EventKind
from storage.records import Draft
from tests.support.dashboard import dashboard_client, link_for
from tests.support.harness import OFFICE_USER
from tests.support.world import World

PERIOD = Period(2022, 2)
FOCAL_POINT = 1001
FIRST, SECOND = b"PK first version", b"PK second version"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    await opened.register(FOCAL_POINT, "SYT")
    yield opened
    await opened.close()


async def _drafts(world: World) -> tuple[Draft, Draft]:
    """Version 1, made stale by a changed answer, then version 2 compiled after it."""
    async with world.db.write() as tx:
        await tx.periods.ensure(PERIOD)
        first = await tx.drafts.add(PERIOD, "BC_2022-02_v1.docx", FIRST, "telegram:900", world.now)
        await tx.drafts.mark_stale(PERIOD)
        later = world.now + timedelta(hours=2)
        second = await tx.drafts.add(PERIOD, "BC_2022-02_v2.docx", SECOND, "baocao", later)
    return first, second


def _row(page: str, version: int) -> str:
    start = page.index(f'id="draft-{version}"')
    return page[start : page.index("</tr>", start)]


async def test_the_versions_of_the_period_current_or_stale(world: World) -> None:
    first, second = await _drafts(world)
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/drafts?period=2022-02")).text()
        empty = await (await client.get("/web/drafts?period=2022-01")).text()
    newest, stale = _row(page, 2), _row(page, 1)
    assert "2 (mới nhất)" in newest and "Còn đúng" in newest and "Đã cũ" not in newest
    assert "BC_2022-02_v2.docx" in newest and "11:00 11/02/2022" in newest
    assert f'href="/web/files/{second.id}"' in newest
    assert "Đã cũ" in stale and "09:00 11/02/2022" in stale and "telegram:900" in stale
    assert f'href="/web/files/{first.id}"' in stale
    assert page.index('id="draft-2"') < page.index('id="draft-1"')  # newest first
    assert "Chưa có bản tổng hợp nào của kỳ 01/2022" in empty and "draft-" not in empty


async def test_a_signed_in_member_downloads_a_version(world: World) -> None:
    first, _ = await _drafts(world)
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        response = await client.get(f"/web/files/{first.id}")
        assert response.status == 200 and await response.read() == FIRST
        assert response.headers["Content-Type"] == DOCX
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="BC_2022-02_v1.docx"'
        )
        for missing in ("999", "abc", "1" * 30, "-1"):
            gone = await client.get(f"/web/files/{missing}")
            assert gone.status == 404 and "Không tìm thấy tệp" in await gone.text()


async def test_a_stranger_cannot_download_a_draft(world: World) -> None:
    first, _ = await _drafts(world)
    async with dashboard_client(world) as client:
        plain = await client.get(f"/web/files/{first.id}", allow_redirects=False)
        assert (plain.status, plain.headers["Location"]) == (303, "/web/welcome")
        assert FIRST not in await plain.read()
        client.session.cookie_jar.update_cookies({COOKIE: "forged-cookie-value"})
        forged = await client.get(f"/web/files/{first.id}", allow_redirects=False)
        assert forged.status == 303 and FIRST not in await forged.read()
        listing = await client.get("/web/drafts?period=2022-02", allow_redirects=False)
        assert listing.status == 303


def test_a_vietnamese_file_name_is_saved_as_named() -> None:
    def header(file_name: str, content_type: str = DOCX) -> str:
        return _download(file_name, b"", content_type).headers["Content-Disposition"]

    assert header('Báo cáo "tháng" 2.docx') == (
        'attachment; filename="Bao cao _thang_ 2.docx"; '
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22th%C3%A1ng%22%202.docx"
    )
    assert header('a"b.docx').startswith('attachment; filename="a_b.docx"')
    # An export keeps its own extension where only the ASCII name is read.
    export = header("BC-Sở_2022-02.xlsx", XLSX)
    assert export.startswith('attachment; filename="BC-So_2022-02.xlsx"')


async def test_a_version_names_who_asked_for_it(world: World) -> None:
    # A member who asks for a draft is known by the name their chat platform gives; a
    # focal point asking the same is refused, and their name never lands among the office's.
    for user, name in ((OFFICE_USER, "Nguyễn Thị Lan"), (FOCAL_POINT, "Trần Văn Bình")):
        event = world.event(user, EventKind.COMMAND, command="tonghop", argument="02/2022")
        await world.send(replace(event, sender=replace(event.sender, display_name=name)))
    async with world.db.write() as tx:
        await tx.periods.ensure(PERIOD)
        await tx.drafts.add(PERIOD, "BC_v1.docx", FIRST, f"telegram:{OFFICE_USER}", world.now)
        await tx.drafts.add(PERIOD, "BC_v2.docx", SECOND, "cli", world.now)
        await tx.drafts.add(PERIOD, "BC_v3.docx", SECOND, f"telegram:{FOCAL_POINT}", world.now)
    async with dashboard_client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/drafts?period=2022-02")).text()
    assert "Nguyễn Thị Lan" in _row(page, 1) and f"telegram:{OFFICE_USER}" not in _row(page, 1)
    assert "Lệnh baocao report (máy chủ)" in _row(page, 2)
    assert f"telegram:{FOCAL_POINT}" in _row(page, 3) and "Trần Văn Bình" not in page
