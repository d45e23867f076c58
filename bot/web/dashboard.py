"""What the dashboard's pages share: the parts they read and act on, and where they live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aiohttp import web

from bot.runtime.clock import Clock
from domain.periods import Period
from domain.report import ReportSpec
from domain.report_tickets import TicketSummary
from domain.web_login import SESSION_VALID
from handlers.context import Catalog, Office
from storage import Database

PREFIX = "/web"
WELCOME = PREFIX + "/welcome"
OVERVIEW = PREFIX + "/"


# The period's .xlsx export as /xuat makes it: its file name and bytes, at a moment.
Exporter = Callable[[Period, datetime], Awaitable[tuple[str, bytes]]]
# The draft's hotline figures of a period (`tickets_source.hotline_summary`): for a period
# with no imported tickets, the units' counts forms give them.
Hotline = Callable[[Period, datetime], Awaitable[TicketSummary | None]]


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The bot's database, its units and forms, the office and its clock."""

    db: Database
    catalog: Catalog
    office: Office
    clock: Clock
    # Wakes the delivery worker after a reminder is queued (the running bot); alone
    # (`baocao web`), the bot's worker finds the outbox rows on its next look.
    wake: Callable[[], None] = field(default=_nothing)
    # How long a login lasts (`[web] session_hours`).
    session_valid: timedelta = SESSION_VALID
    # The day the report's ticket figures count from (config or report.toml; None: the
    # first ticket): the tickets page counts as the draft does.
    ticket_start: date | None = None
    # The period's export (the command line builds it on the office's files); None: the
    # drafts page offers no export.
    export: Exporter | None = None
    # No bot runs beside it (the demo): what an action queues is never sent, and the
    # overview says so rather than promise a message.
    rehearsal: bool = False
    # The draft's hotline figures (the command line builds it on the office's files); None:
    # the tickets page shows imported tickets only.
    hotline: Hotline | None = None
    # The report declaration (report.toml) as the draft reads it, read at each use (None:
    # unreadable, or none given): the overview counts its checks' warnings as the review
    # sheet lists them.
    report: Callable[[], ReportSpec | None] = field(default=_nothing)


DASHBOARD = web.AppKey("dashboard", Dashboard)


def dashboard_of(request: web.Request) -> Dashboard:
    """The dashboard serving this request."""
    return request.app[DASHBOARD]
