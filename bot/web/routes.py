"""The dashboard mounted on an aiohttp application, as a sub-application under /web."""

from __future__ import annotations

from aiohttp import web

from bot.web import actions, auth, drafts_page, figures, overview, tickets_page, unit_page
from bot.web.dashboard import DASHBOARD, PREFIX, Dashboard
from bot.web.render import stylesheet

# Forms of the dashboard are a token and a button: a few KB at most.
_BODY_BYTES = 16 * 1024


def dashboard_app(dashboard: Dashboard) -> web.Application:
    """The dashboard's pages as a sub-application, to be mounted at PREFIX."""
    app = web.Application(client_max_size=_BODY_BYTES, middlewares=[auth.refusals])
    app[DASHBOARD] = dashboard
    app.router.add_get("/", overview.overview)
    app.router.add_get("/welcome", auth.welcome)
    app.router.add_get("/login", auth.login)
    app.router.add_post("/logout", auth.logout)
    app.router.add_get("/units/{code}", unit_page.unit_page)
    app.router.add_post("/units/{code}/remind", actions.remind)
    app.router.add_get("/forms", figures.forms_page)
    app.router.add_get("/forms/{form_id}", figures.figures_page)
    app.router.add_post("/remind", actions.remind_chosen)
    app.router.add_get("/remind-all", actions.remind_all_ask)
    app.router.add_post("/remind-all", actions.remind_all)
    app.router.add_post("/compile", actions.compile_draft)
    app.router.add_get("/lock", actions.lock_ask)
    app.router.add_post("/lock", actions.lock)
    app.router.add_get("/reopen", actions.reopen_ask)
    app.router.add_post("/reopen", actions.reopen)
    app.router.add_get("/tickets", tickets_page.tickets_page)
    app.router.add_get("/drafts", drafts_page.drafts_page)
    app.router.add_get(drafts_page.PATH, drafts_page.draft_file)
    app.router.add_get(drafts_page.REVIEW_PATH, drafts_page.review_file)
    app.router.add_get(drafts_page.EXPORT_PATH, drafts_page.export_file)
    app.router.add_get("/static/style.css", stylesheet)
    return app


def mount(app: web.Application, dashboard: Dashboard) -> None:
    """Serve the dashboard under PREFIX on `app` (the bot's HTTP server, or `baocao web`)."""
    app.add_subapp(PREFIX, dashboard_app(dashboard))
