"""Who may see the dashboard: one-time login links open a session kept in the database,
known by a cookie (HttpOnly, SameSite=Strict, Secure behind https); every form carries the
session's CSRF token. Without a session a page redirects to the welcome page, which says
how to get a link and shows no data."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web.dashboard import OVERVIEW, PREFIX, WELCOME, dashboard_of
from bot.web.render import page
from domain.web_login import LinkCheck, check
from storage.repos.web import WebSession

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COOKIE = "baocao_web"
# A cookie we made is 43 characters; anything much longer is not worth hashing.
_COOKIE_CHARS = 100


def cookie_hash(cookie: str) -> str:
    """What the database keeps of a session cookie: a stolen database opens no session."""
    return hashlib.sha256(cookie.encode()).hexdigest()


async def current_session(request: web.Request) -> WebSession | None:
    """The request's open session, if its cookie names one of a member of the office."""
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or len(cookie) > _COOKIE_CHARS:
        return None
    dashboard = dashboard_of(request)
    async with dashboard.db.read(one_statement=True) as view:
        session = await view.web.session(cookie_hash(cookie), dashboard.clock())
    # Removed from the config's admins since: the session ends with the office membership.
    if session is None or session.admin_id not in dashboard.office.admins:
        return None
    return session


async def signed_in(request: web.Request) -> WebSession:
    """The request's session; without one, a redirect to the welcome page (no data shown)."""
    session = await current_session(request)
    if session is None:
        raise web.HTTPSeeOther(WELCOME)
    return session


async def checked_form(request: web.Request) -> tuple[WebSession, dict[str, str]]:
    """An action's session and form fields; refused (403) without the session's token."""
    session = await signed_in(request)
    form = {key: value for key, value in (await request.post()).items() if isinstance(value, str)}
    token = form.get("csrf", "")
    if not hmac.compare_digest(token.encode(), session.csrf.encode()):
        log.warning("web: %s sent a form without its session's token", session.admin_id)
        raise Refused("token")
    return session, form


async def welcome(request: web.Request) -> web.Response:
    """How to sign in; nothing of any unit."""
    del request
    return page("welcome")


async def login(request: web.Request) -> web.Response:
    """Use a one-time link: open a session, or say why the link is refused."""
    dashboard = dashboard_of(request)
    query = request.query
    admin, nonce = query.get("a", ""), query.get("n", "")
    async with dashboard.db.read(one_statement=True) as view:
        secret = await view.web.secret()
    verdict = LinkCheck.FORGED
    if secret:  # no secret yet: no link was ever made, none can be valid
        now = dashboard.clock().timestamp()
        verdict = check(secret, admin, query.get("e", ""), nonce, query.get("s", ""), now)
    if verdict is not LinkCheck.OK:
        log.warning("web: login link refused (%s)", verdict)
        return _refused(str(verdict))
    if admin not in dashboard.office.admins:
        log.warning("web: login link of %s refused: not a member of the office", admin)
        return _refused("not_office")
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    async with dashboard.db.write() as tx:
        fresh = await tx.web.use_login(nonce, admin)
        if fresh:
            expires = dashboard.clock() + dashboard.session_valid
            await tx.web.open_session(cookie_hash(cookie), admin, csrf, expires)
    if not fresh:
        log.warning("web: login link of %s refused: used before", admin)
        return _refused("used")
    log.info("web: %s signed in", admin)
    # A page that moves on rather than a redirect: a SameSite=Strict cookie set while
    # following a link from a chat app is not sent on that navigation's redirect.
    response = page("signed_in", overview=OVERVIEW)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(dashboard.session_valid.total_seconds()),
        path=PREFIX,
        httponly=True,
        samesite="Strict",
        secure=_behind_https(request),
    )
    return response


async def logout(request: web.Request) -> web.Response:
    """End the session: its cookie opens nothing any more."""
    session, _ = await checked_form(request)
    dashboard = dashboard_of(request)
    async with dashboard.db.write() as tx:
        await tx.web.end_session(cookie_hash(request.cookies.get(COOKIE, "")))
    log.info("web: %s signed out", session.admin_id)
    response = page("signed_out")
    response.del_cookie(COOKIE, path=PREFIX)
    return response


class Refused(Exception):
    """A request the dashboard refuses, with the reason its page explains."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@web.middleware
async def refusals(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A refusal is a page saying why (403), not a bare status."""
    try:
        return await handler(request)
    except Refused as refusal:
        return _refused(refusal.reason)


def _refused(reason: str) -> web.Response:
    return page("refused", status=403, reason=reason)


def _behind_https(request: web.Request) -> bool:
    """Served over https, directly or by the reverse proxy in front (docs/operations.md)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "") == "https"
