"""The drafts page: the versions of a period's draft compiled so far (/tonghop, `baocao
report`), each current or stale, and their download for a signed-in member of the office.

A draft is stale once an answer of its period changed after it was compiled (the flag
`handlers.jobs.drafts_outdated` sets, the one the office is told about in chat). Only the
drafts are stored: the review sheet and the .xlsx export go to the chat that asked and are
made again on asking, so the page says so rather than list them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from bot.web.auth import signed_in
from bot.web.dashboard import dashboard_of
from bot.web.overview import TIME_SHOWN, chosen_period
from bot.web.render import page
from domain.calendar import current_period

PATH = "/files/{id}"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ASCII_NAME = "bao-cao.docx"


@dataclass(frozen=True, slots=True)
class DraftRow:
    """A stored version as listed: when and by whom it was compiled, current or stale."""

    id: int
    version: int
    file_name: str
    created_at: str
    created_by: str
    stale: bool
    newest: bool
    kilobytes: int


async def drafts_page(request: web.Request) -> web.Response:
    """GET /web/drafts[?period=YYYY-MM]: the period's draft versions, newest first."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    catalog, now = dashboard.catalog, dashboard.clock()
    period = chosen_period(request.query, catalog, now)
    async with dashboard.db.read(one_statement=True) as view:
        versions = await view.drafts.versions(period)
    rows = [
        DraftRow(
            v.id,
            v.version,
            v.file_name,
            v.created_at.astimezone(catalog.zone).strftime(TIME_SHOWN),
            v.created_by,
            v.stale,
            i == 0,
            max(1, round(v.size / 1024)),
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
        csrf=session.csrf,  # the logout form and the pages' links
    )


async def draft_file(request: web.Request) -> web.StreamResponse:
    """GET /web/files/ID: a stored draft as a download, to a signed-in member of the office
    only (without a session: the welcome page, never the file)."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    raw = request.match_info["id"]
    draft = None
    if raw.isascii() and raw.isdigit() and len(raw) < 19:  # a row id, never a huge number
        async with dashboard.db.read(one_statement=True) as view:
            draft = await view.drafts.by_id(int(raw))
    if draft is None:
        return page("draft_missing", status=404, csrf=session.csrf)
    headers = {
        "Content-Disposition": attachment(draft.file_name),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return web.Response(body=draft.content, content_type=DOCX, headers=headers)


def attachment(file_name: str) -> str:
    """A Content-Disposition saving the file under its name (RFC 6266: an ASCII fallback,
    and the name itself in UTF-8 for Vietnamese names)."""
    fallback = file_name if file_name.isascii() and file_name.isprintable() else _ASCII_NAME
    fallback = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
