"""The drafts page's other files: the review sheet kept with each compiled version (through
/tonghop's job, as the office asks in chat) and the period's .xlsx export made on asking;
both for a signed-in member of the office only. On a World's real SQLite file."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import openpyxl
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.cli.web import period_export
from bot.runtime.jobs import job_documents
from bot.web.auth import COOKIE
from bot.web.dashboard import Dashboard
from bot.web.drafts_page import DOCX, XLSX
from bot.web.routes import mount
from bot.workspace.load import load_workspace
from domain.answers import Answer
from domain.obligations import Obligation
from domain.periods import Period
from handlers.jobs import JOBS_CHANNEL
from templates.catalog import text
from tests.support.dashboard import link_for
from tests.support.docx_reading import full_text, open_docx
from tests.support.harness import OFFICE_USER
from tests.support.world import World

PERIOD = Period(2022, 2)
SYT = {"cap_moi": "1200", "tong": "1500", "to_chuc": "600", "ca_nhan": "900"}
Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    opened = await World.open(tmp_path)
    async with opened.db.write() as tx:
        await tx.obligations.ensure([Obligation("SYT", "cts", PERIOD)])
        for key, value in SYT.items():
            answer = Answer("SYT", "cts", PERIOD.key, key, value, updated_at=opened.now)
            await tx.answers.set(answer, "telegram:1001")
    yield opened
    await opened.close()


@asynccontextmanager
async def _client(world: World) -> AsyncIterator[Client]:
    """The dashboard as `baocao web` builds it: with the export of the office's files."""
    workspace = load_workspace(world.path.parent / "config.toml")
    export = period_export(world.db, workspace)
    app = web.Application()
    mount(app, Dashboard(world.db, world.catalog, world.office, lambda: world.now, export=export))
    async with TestClient(TestServer(app)) as client:
        yield client


async def _compile(world: World) -> str:
    """/tonghop 02/2022 in chat, then its job run as the delivery worker runs it: the
    review sheet's file name as sent to the chat."""
    replies = await world.command(OFFICE_USER, "tonghop", PERIOD.label)
    [job] = [r for r in replies if r.channel == JOBS_CHANNEL]
    workspace = load_workspace(world.path.parent / "config.toml")
    documents = await job_documents(world.db, workspace, job.extra, world.now)
    return documents[1].file_name


def _row(page: str, version: int) -> str:
    start = page.index(f'id="draft-{version}"')
    return page[start : page.index("</tr>", start)]


async def test_the_review_sheet_is_kept_with_its_version(world: World) -> None:
    async with world.db.write() as tx:  # a version stored before review sheets were kept
        await tx.periods.ensure(PERIOD)
        old = await tx.drafts.add(PERIOD, "BC_2022-02_v1.docx", b"PK old", "cli", world.now)
    sent = await _compile(world)
    assert sent.endswith("_2022-02_v2_ra-soat.docx")
    async with world.db.read() as view:
        [new, _] = await view.drafts.versions(PERIOD)
    async with _client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/drafts?period=2022-02")).text()
        assert f'href="/web/files/{new.id}/review"' in _row(page, 2)
        assert "Tải bảng rà soát" in _row(page, 2)
        assert "/review" not in _row(page, 1) and "Tải bảng rà soát" not in _row(page, 1)
        response = await client.get(f"/web/files/{new.id}/review")
        assert response.status == 200 and response.headers["Content-Type"] == DOCX
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{sent}"')
        review = full_text(open_docx(await response.read()))
        missing = await client.get(f"/web/files/{old.id}/review")
        assert missing.status == 404 and "Không tìm thấy tệp" in await missing.text()
    assert text("report.review.title") in review and text("report.review.units") in review
    assert "Kỳ 02/2022, bản 2" in review


async def test_a_stranger_gets_no_review_sheet(world: World) -> None:
    await _compile(world)
    async with world.db.read() as view:
        [draft] = await view.drafts.versions(PERIOD)
        kept = await view.drafts.review(draft.id)
    assert kept is not None
    async with _client(world) as client:
        plain = await client.get(f"/web/files/{draft.id}/review", allow_redirects=False)
        assert (plain.status, plain.headers["Location"]) == (303, "/web/welcome")
        assert kept.content not in await plain.read()
        client.session.cookie_jar.update_cookies({COOKIE: "forged-cookie-value"})
        forged = await client.get(f"/web/files/{draft.id}/review", allow_redirects=False)
        assert forged.status == 303 and kept.content[:200] not in await forged.read()


async def test_the_export_of_the_period_is_made_on_asking(world: World) -> None:
    async with _client(world) as client:
        await client.get(await link_for(world))
        page = await (await client.get("/web/drafts?period=2022-02")).text()
        assert 'href="/web/export?period=2022-02"' in page and "Bảng số liệu (.xlsx)" in page
        response = await client.get("/web/export?period=2022-02")
        assert response.status == 200 and response.headers["Content-Type"] == XLSX
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="BC-STTTT-VP_2022-02.xlsx"'
        )
        content = await response.read()
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = book["Chứng thư số"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    [syt] = [row for row in rows if row[0] == "SYT"]
    assert 1200 in syt and 1500 in syt  # the period's figures as SYT sent them
    assert text("report.export.sheet_revisions") in book.sheetnames


async def test_a_stranger_gets_no_export(world: World) -> None:
    async with _client(world) as client:
        plain = await client.get("/web/export?period=2022-02", allow_redirects=False)
        assert (plain.status, plain.headers["Location"]) == (303, "/web/welcome")
        assert not (await plain.read()).startswith(b"PK")
        client.session.cookie_jar.update_cookies({COOKIE: "forged-cookie-value"})
        forged = await client.get("/web/export?period=2022-02", allow_redirects=False)
        assert forged.status == 303 and not (await forged.read()).startswith(b"PK")
