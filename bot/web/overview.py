"""The period overview: every unit with its state, counts and a progress bar, a filter.

States come from `handlers.office.progress`, the use case of /trangthai and `baocao status`;
a unit not submitted once the deadline has passed is shown late.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.web.auth import signed_in
from bot.web.dashboard import Dashboard, dashboard_of
from bot.web.render import page
from domain.calendar import current_period, deadline_at
from domain.periods import Period, parse_period
from handlers.context import Catalog
from handlers.office import UnitProgress, progress
from storage import ReadView

STATES = ("not_started", "answering", "late", "submitted", "submitted_late")
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
    state: str
    answered: int
    questions: int
    submitted_at: str
    explained: int  # values questioned and kept with an explanation
    people: tuple[Person, ...]

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
    overdue = now > deadline_at(period, catalog.regime)
    groups = {"submitted": result.submitted, "in_progress": result.in_progress}
    groups["not_started"] = result.not_started
    found: dict[str, UnitRow] = {}
    for group, units in groups.items():
        for unit in units:
            people = everyone.get(unit.code, [])
            shown = (
                unit.submitted_at.astimezone(catalog.zone).strftime(TIME_SHOWN)
                if unit.submitted_at
                else ""
            )
            found[unit.code] = UnitRow(
                unit.code,
                unit.name,
                unit_state(group, unit, overdue),
                unit.answered,
                unit.questions,
                shown,
                unit.explained,
                tuple(
                    Person(p.display_name or p.user_id, p.unreachable_at is None) for p in people
                ),
            )
    return [found[u.code] for u in catalog.unit_list() if u.code in found]


async def overview(request: web.Request) -> web.Response:
    """GET /web/: the overview of the current period (or ?period=YYYY-MM), ?state= filters."""
    session = await signed_in(request)
    return await overview_page(dashboard_of(request), request.query, session.csrf)


async def overview_page(dashboard: Dashboard, query: Mapping[str, str], csrf: str) -> web.Response:
    """The overview for a signed-in admin, from the request's query (period, state)."""
    now = dashboard.clock()
    period = chosen_period(query, dashboard.catalog, now)
    async with dashboard.db.read() as view:
        rows = await overview_rows(view, dashboard.catalog, period, now)
    counts = Counter(row.state for row in rows)
    chosen = query.get("state", "")
    shown = [row for row in rows if row.state == chosen] if chosen in STATES else rows
    done = counts["submitted"] + counts["submitted_late"]
    reminded = query.get("reminded", "")
    return page(
        "overview",
        period=period,
        current=current_period(now, dashboard.catalog.regime).key,
        rows=shown,
        states=STATES,
        counts=counts,
        total=len(rows),
        done=done,
        percent=round(100 * done / len(rows)) if rows else 0,
        chosen=chosen if chosen in STATES else "",
        csrf=csrf,
        reminded=dashboard.catalog.units[reminded].name
        if reminded in dashboard.catalog.units
        else "",
        messages=query.get("messages", ""),
    )


def chosen_period(query: Mapping[str, str], catalog: Catalog, now: datetime) -> Period:
    """The period of ?period=YYYY-MM, or the one being collected at `now`."""
    try:
        return parse_period(query["period"])
    except (KeyError, ValueError):
        return current_period(now, catalog.regime)
