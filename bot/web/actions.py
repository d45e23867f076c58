"""The dashboard's actions: POST with the session's token, through the chat's use cases,
into the same outbox; each logged with who did it."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.runtime.outbox import queue_replies
from bot.web.auth import Refused, checked_form
from bot.web.dashboard import OVERVIEW, dashboard_of
from domain.calendar import current_period
from handlers.context import HandlerContext
from handlers.schedule import remind_unit_now

log = logging.getLogger(__name__)


async def remind(request: web.Request) -> web.Response:
    """«Nhắc»: queue one unit the reminder /nhacnho would send it for the current period."""
    session, _ = await checked_form(request)
    dashboard = dashboard_of(request)
    code = request.match_info["code"]
    if code not in dashboard.catalog.units:
        raise Refused("unknown_unit")
    now = dashboard.clock()
    period = current_period(now, dashboard.catalog.regime)
    async with dashboard.db.write() as tx:
        ctx = HandlerContext(dashboard.office, dashboard.catalog, now, tx)
        queued = await queue_replies(tx, await remind_unit_now(ctx, period, code))
    dashboard.wake()
    log.info("web: %s reminded %s for %s (%d messages)", session.admin_id, code, period.key, queued)
    raise web.HTTPSeeOther(f"{OVERVIEW}?reminded={code}&messages={queued}")
