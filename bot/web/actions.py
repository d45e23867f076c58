"""The dashboard's actions: POST with the session's token, through the chat's use cases,
into the same outbox; each logged with who did it, then back to the overview with what was
done. Locking a period and reopening a unit are confirmed first on a page of their own (as
the chat asks before /khoa): their POST carries what the confirmation named, and without it
goes back to that page."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.runtime.outbox import queue_replies
from bot.web.auth import Refused, checked_form, signed_in
from bot.web.dashboard import OVERVIEW, PREFIX, Dashboard, dashboard_of
from bot.web.render import page
from domain.calendar import current_period
from domain.periods import Period, parse_period
from handlers import jobs, office, schedule
from handlers.button_kind import PERIOD_YEARS
from handlers.context import HandlerContext
from handlers.events import Sender
from storage import WriteTransaction
from storage.repos.web import WebSession

log = logging.getLogger(__name__)

# The confirmation page lists this many units by name, then says how many more.
LISTED = 30


async def remind(request: web.Request) -> web.Response:
    """«Nhắc» of a unit's page: the reminder /nhacnho would send it for the current period."""
    session, _ = await checked_form(request)
    return await _remind_one(request, session, request.match_info["code"])


async def remind_chosen(request: web.Request) -> web.Response:
    """«Nhắc» of an overview row (one form for the table, the row's button names the unit)."""
    session, form = await checked_form(request)
    return await _remind_one(request, session, form.get("unit", ""))


async def _remind_one(request: web.Request, session: WebSession, code: str) -> web.Response:
    dashboard = dashboard_of(request)
    if code not in dashboard.catalog.units:
        raise Refused("unknown_unit")
    async with _acting(dashboard) as (ctx, period):
        queued = await queue_replies(ctx.tx, await schedule.remind_unit_now(ctx, period, code))
    dashboard.wake()
    log.info("web: %s reminded %s for %s (%d messages)", session.admin_id, code, period.key, queued)
    raise web.HTTPSeeOther(f"{OVERVIEW}?reminded={code}&messages={queued}")


async def remind_all_ask(request: web.Request) -> web.Response:
    """GET: remind every unit that has not sent the current period's figures? As /nhacnho
    asks, naming them."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    period = current_period(dashboard.clock(), dashboard.catalog.regime)
    async with dashboard.db.read() as view:
        result = await office.progress(view, dashboard.catalog, period)
    late = [u.name for u in (*result.in_progress, *result.not_started)]
    return _confirm("remind-all", session, period, late=late)


async def remind_all(request: web.Request) -> web.Response:
    """POST from the confirmation: what /nhacnho confirmed queues, to every laggard of the
    current period (and about overdue tickets, as there)."""
    session, form = await checked_form(request)
    dashboard = dashboard_of(request)
    async with _acting(dashboard) as (ctx, period):
        if _confirmed_period(form, "remind-all") != period:
            raise Refused("bad_period")  # confirmed for a period that has ended since
        queued = await queue_replies(ctx.tx, await schedule.remind_laggards_now(ctx, period))
    dashboard.wake()
    log.info(
        "web: %s reminded every laggard of %s (%d messages)", session.admin_id, period.key, queued
    )
    raise _done("remind_all", period, messages=queued)


async def compile_draft(request: web.Request) -> web.Response:
    """«Tổng hợp dự thảo»: the durable job /tonghop asks for; the draft goes to the asker's
    chat with the bot, and is kept with the period's drafts."""
    session, form = await checked_form(request)
    dashboard = dashboard_of(request)
    period = _period_of(form)
    async with dashboard.db.write() as tx:
        request_job = jobs.job_request("compile", period, _as_sender(session))
        await queue_replies(tx, [request_job])
    dashboard.wake()
    log.info("web: %s asked for the draft of %s", session.admin_id, period.key)
    raise _done("compile", period)


async def lock_ask(request: web.Request) -> web.Response:
    """GET: lock the period? With how many units have not sent, as /khoa asks."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    period = _period_of(request.query)
    async with dashboard.db.read() as view:
        record = await view.periods.get(period)
        result = await office.progress(view, dashboard.catalog, period)
    late = [u.name for u in (*result.in_progress, *result.not_started)]
    locked = record is not None and record.locked_at is not None
    return _confirm("lock", session, period, late=late, locked=locked)


async def lock(request: web.Request) -> web.Response:
    """POST from the confirmation: lock the period it named."""
    session, form = await checked_form(request)
    dashboard = dashboard_of(request)
    period = _confirmed_period(form, "lock")
    async with dashboard.db.write() as tx:
        await office.lock_period(_context(dashboard, tx), period)
    log.info("web: %s locked %s", session.admin_id, period.key)
    raise _done("lock", period)


async def reopen_ask(request: web.Request) -> web.Response:
    """GET: reopen one unit's forms of a locked period for a correction, as /mokhoa does?"""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    code = request.query.get("unit", "")
    if code not in dashboard.catalog.units:
        raise Refused("unknown_unit")
    period = _period_of(request.query)
    unit = dashboard.catalog.units[code].name
    return _confirm("reopen", session, period, unit=unit, code=code)


async def reopen(request: web.Request) -> web.Response:
    """POST from the confirmation: reopen the unit it named, its focal points told."""
    session, form = await checked_form(request)
    dashboard = dashboard_of(request)
    code = form.get("unit", "")
    if code not in dashboard.catalog.units:
        raise Refused("unknown_unit")
    period = _confirmed_period(form, "reopen", unit=code)
    async with dashboard.db.write() as tx:
        count, told = await office.reopen_unit(_context(dashboard, tx), code, period)
        await queue_replies(tx, told)
    dashboard.wake()
    log.info("web: %s reopened %s for %s (%d forms)", session.admin_id, code, period.key, count)
    raise _done("reopen", period, unit=code, messages=count)


@asynccontextmanager
async def _acting(dashboard: Dashboard) -> AsyncIterator[tuple[HandlerContext, Period]]:
    """A write transaction with the handlers' context at its time, and the current period."""
    async with dashboard.db.write() as tx:
        ctx = _context(dashboard, tx)
        yield ctx, current_period(ctx.now, dashboard.catalog.regime)


def _context(dashboard: Dashboard, tx: WriteTransaction) -> HandlerContext:
    return HandlerContext(dashboard.office, dashboard.catalog, dashboard.clock(), tx)


def _as_sender(session: WebSession) -> Sender:
    """The admin as the chat knows them ("telegram:123"): a job's result goes to their
    private chat with the bot."""
    channel, _, user = session.admin_id.partition(":")
    return Sender(channel, user, user)


def _period_of(values: Mapping[str, str]) -> Period:
    """The period a form or query names (?period=YYYY-MM), refused when it names none or
    one of the years the chat's commands refuse."""
    try:
        period = parse_period(values.get("period", ""))
    except ValueError:
        raise Refused("bad_period") from None
    if period.year not in PERIOD_YEARS:
        raise Refused("bad_period")
    return period


def _confirmed_period(form: dict[str, str], action: str, **more: str) -> Period:
    """The period of a confirmed action; back to its confirmation page without one."""
    if form.get("confirmed") != "yes":
        query = urlencode(
            {k: v for k, v in {"period": form.get("period", ""), **more}.items() if v}
        )
        raise web.HTTPSeeOther(f"{PREFIX}/{action}" + (f"?{query}" if query else ""))
    return _period_of(form)


def _confirm(action: str, session: WebSession, period: Period, **values: Any) -> web.Response:
    return page("confirm", action=action, period=period, csrf=session.csrf, listed=LISTED, **values)


def _done(kind: str, period: Period, **values: str | int) -> web.HTTPSeeOther:
    query = urlencode({"period": period.key, "done": kind, **values})
    return web.HTTPSeeOther(f"{OVERVIEW}?{query}")
