"""The period overview: every unit with its state, warnings, focal points and last reminder;
counts and a progress bar; filters, sorting and pages (listing.py).

States come from `handlers.office.progress`, the use case of /trangthai and `baocao status`;
a unit not submitted once the deadline has passed is shown late.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo

from aiohttp import web

from bot.web.auth import signed_in
from bot.web.checks import NONE, UnitWarnings, unit_warnings
from bot.web.dashboard import Dashboard, dashboard_of
from bot.web.listing import STATES, Listing
from bot.web.render import page
from domain.calendar import current_period, deadline_at
from domain.periods import Period, parse_period
from domain.report import ReportSpec
from handlers.context import Catalog
from handlers.office import UnitProgress, progress
from storage import ReadView

TIME_SHOWN = "%H:%M %d/%m/%Y"


@dataclass(frozen=True, slots=True)
class Person:
    """A focal point as the overview shows them."""

    name: str
    reachable: bool


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit's line on the overview."""

    code: str
    name: str
    group: str
    state: str
    answered: int
    questions: int
    submitted: datetime | None
    explained: int  # values questioned and kept with an explanation
    people: tuple[Person, ...]
    warnings: UnitWarnings = NONE
    reminded: datetime | None = None  # the last reminder sent for the period
    reminders: int = 0

    @property
    def remindable(self) -> bool:
        """Whether «Nhắc» is offered: figures still owed."""
        return self.state in ("not_started", "answering", "late")


def unit_state(group: str, unit: UnitProgress, overdue: bool) -> str:
    """The overview's state of a unit from its group in `progress` and the deadline."""
    if group == "submitted":
        return "submitted_late" if unit.late else "submitted"
    if overdue:
        return "late"
    return "not_started" if group == "not_started" else "answering"


async def overview_rows(
    view: ReadView, catalog: Catalog, period: Period, now: datetime
) -> list[UnitRow]:
    """Every unit owing forms for `period`, in the configured order."""
    everyone = await view.focal_points.current_by_unit()
    result = await progress(view, catalog, period, everyone)
    reminded = await view.schedule.last_reminders(period)
    overdue = now > deadline_at(period, catalog.regime)
    groups = {"submitted": result.submitted, "in_progress": result.in_progress}
    groups["not_started"] = result.not_started
    found: dict[str, UnitRow] = {}
    for group, units in groups.items():
        for unit in units:
            people = everyone.get(unit.code, [])
            last = reminded.get(unit.code)
            found[unit.code] = UnitRow(
                unit.code,
                unit.name,
                catalog.units[unit.code].group,
                unit_state(group, unit, overdue),
                unit.answered,
                unit.questions,
                unit.submitted_at,
                unit.explained,
                tuple(
                    Person(p.display_name or p.user_id, p.unreachable_at is None) for p in people
                ),
                NONE,  # filled in for the rows a page shows (`with_warnings`)
                last.at if last else None,
                last.times if last else 0,
            )
    return [found[u.code] for u in catalog.unit_list() if u.code in found]


async def with_warnings(
    view: ReadView,
    catalog: Catalog,
    period: Period,
    rows: list[UnitRow],
    spec: ReportSpec | None = None,
) -> list[UnitRow]:
    """`rows` with their units' warnings (checked for these rows only; with `spec`, the
    report declaration's too)."""
    found = await unit_warnings(view, catalog, period, [row.code for row in rows], spec)
    return [replace(row, warnings=found[row.code]) if row.code in found else row for row in rows]


def time_shown(moment: datetime | None, zone: tzinfo) -> str:
    """How the pages write a time: «14:05 15/02/2022» in the office's zone, "" for none."""
    return moment.astimezone(zone).strftime(TIME_SHOWN) if moment else ""


def shown_in(zone: tzinfo) -> Callable[[datetime | None], str]:
    """`time_shown` in `zone`, for a template to call on the rows a page shows only (a
    province has thousands)."""
    return lambda moment: time_shown(moment, zone)


async def overview(request: web.Request) -> web.Response:
    """GET /web/: the overview of the current period (or ?period=YYYY-MM); ?state=, ?group=
    filter, ?sort= sorts, ?page= pages."""
    session = await signed_in(request)
    return await overview_page(dashboard_of(request), request.query, session.csrf)


async def overview_page(dashboard: Dashboard, query: Mapping[str, str], csrf: str) -> web.Response:
    """The overview for a signed-in admin, from the request's query (period, state, group,
    sort, page)."""
    now = dashboard.clock()
    period = chosen_period(query, dashboard.catalog, now)
    spec = dashboard.report()  # read before the snapshot opens: a file, not the database
    async with dashboard.db.read() as view:
        rows = await overview_rows(view, dashboard.catalog, period, now)
        record = await view.periods.get(period)
        listing = Listing.of(query, period, rows)
        shown = await with_warnings(view, dashboard.catalog, period, listing.pick(rows), spec)
    done = listing.counts["submitted"] + listing.counts["submitted_late"]
    total = listing.counts.total()  # of the chosen group
    return page(
        "overview",
        period=period,
        current=current_period(now, dashboard.catalog.regime).key,
        rows=shown,
        states=STATES,
        listing=listing,
        total=total,
        done=done,
        percent=round(100 * done / total) if total else 0,
        csrf=csrf,
        when=shown_in(dashboard.catalog.zone),
        reminded=_unit_name(dashboard, query.get("reminded", "")),
        rehearsal=dashboard.rehearsal,
        messages=query.get("messages", ""),
        done_message=query.get("done", ""),
        reopened=_unit_name(dashboard, query.get("unit", "")),
        locked=record is not None and record.locked_at is not None,
    )


def _unit_name(dashboard: Dashboard, code: str) -> str:
    unit = dashboard.catalog.units.get(code)
    return unit.name if unit else ""


def chosen_period(query: Mapping[str, str], catalog: Catalog, now: datetime) -> Period:
    """The period of ?period=YYYY-MM, or the one being collected at `now`."""
    try:
        return parse_period(query["period"])
    except (KeyError, ValueError):
        return current_period(now, catalog.regime)
