"""The drafts page: the versions of a period's draft compiled so far (/tonghop, `baocao
report`), each current or stale with the review sheet made with it, and the period's .xlsx
export made on asking; their download for a signed-in member of the office only.

A draft is stale once an answer of its period changed after it was compiled (the flag
`handlers.jobs.drafts_outdated` sets, the one the office is told about in chat). The review
sheet is stored with its draft (drafts stored before it was kept have none); the export is
not stored: it is made from the figures as they stand, as /xuat makes it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.runtime.downloads import content_disposition
from bot.web.auth import signed_in
from bot.web.dashboard import dashboard_of
from bot.web.overview import chosen_period, time_shown
from bot.web.render import page
from domain.calendar import current_period
from storage import ReadView

log = logging.getLogger(__name__)


class _StoredFile(Protocol):
    """A file kept in the database: a draft or its review sheet."""

    @property
    def file_name(self) -> str: ...

    @property
    def content(self) -> bytes: ...


PATH = "/files/{id}"
REVIEW_PATH = "/files/{id}/review"
EXPORT_PATH = "/export"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A stored version as listed: when and by whom it was compiled, current or stale."""

    id: int
    version: int
    file_name: str
    created_at: str
    created_by: str  # 'telegram:900', or 'cli', 'demo', 'baocao' (the bot on its own)
    requested_by: str  # the member's name as their chat platform gave it, if known
    stale: bool
    newest: bool
    kilobytes: int
    review_name: str  # "" when none was kept (a draft stored before review sheets were)
    review_kilobytes: int


async def drafts_page(request: web.Request) -> web.Response:
    """GET /web/drafts[?period=YYYY-MM]: the period's draft versions, newest first."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    catalog, now = dashboard.catalog, dashboard.clock()
    period = chosen_period(request.query, catalog, now)
    async with dashboard.db.read() as view:
        versions = await view.drafts.versions(period)
        names = await view.office_people.names()
    rows = [
        DraftRow(
            v.id,
            v.version,
            v.file_name,
            time_shown(v.created_at, catalog.zone),
            v.created_by,
            names.get(v.created_by, ""),
            v.stale,
            i == 0,
            _kilobytes(v.size),
            v.review_name,
            _kilobytes(v.review_size),
        )
        for i, v in enumerate(versions)
    ]
    latest = current_period(now, catalog.regime)
    later = period.next() if period < latest else None
    return page(
        "drafts",
        period=period,
        rows=rows,
        earlier=period.previous(),
        later=later,
        exported=dashboard.export is not None,
        csrf=session.csrf,  # the logout form and the pages' links
    )


def _kilobytes(size: int) -> int:
    return max(1, round(size / 1024))


def _row_id(request: web.Request) -> int | None:
    """The draft's row id in the path; None for anything else (never a huge number)."""
    raw = request.match_info["id"]
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


def _download(file_name: str, content: bytes, content_type: str) -> web.Response:
    """A file as an attachment, kept by no cache, never sniffed as another type."""
    headers = {
        "Content-Disposition": content_disposition(file_name),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(body=content, content_type=content_type, headers=headers)


async def draft_file(request: web.Request) -> web.StreamResponse:
    """GET /web/files/ID: a stored draft as a download, to a signed-in member of the office
    only (without a session: the welcome page, never the file)."""
    return await _stored_file(request, lambda view, row: view.drafts.by_id(row))


async def review_file(request: web.Request) -> web.StreamResponse:
    """GET /web/files/ID/review: the review sheet kept with a draft, as the draft is given."""
    return await _stored_file(request, lambda view, row: view.drafts.review(row))


async def _stored_file(
    request: web.Request, read: Callable[[ReadView, int], Awaitable[_StoredFile | None]]
) -> web.StreamResponse:
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    found, row = None, _row_id(request)
    if row is not None:
        async with dashboard.db.read(one_statement=True) as view:
            found = await read(view, row)
    if found is None:
        return page("draft_missing", status=404, csrf=session.csrf)
    return _download(found.file_name, found.content, DOCX)


async def export_file(request: web.Request) -> web.StreamResponse:
    """GET /web/export?period=YYYY-MM: the period's .xlsx made now, as /xuat makes it."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    if dashboard.export is None:
        return page("draft_missing", status=404, csrf=session.csrf)
    now = dashboard.clock()
    period = chosen_period(request.query, dashboard.catalog, now)
    # The workbook's heavy part (zipping) runs in a thread inside export_xlsx; the rows are
    # written a slice at a time, so the loop keeps serving meanwhile, as for /xuat's job.
    file_name, content = await dashboard.export(period, now)
    log.info("web: %s downloaded the export of %s", session.admin_id, period.key)
    return _download(file_name, content, XLSX)
