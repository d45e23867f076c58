"""The period overview: every unit with its state, counts and a progress bar, a filter.

States come from `handlers.office.progress`, the use case of /trangthai and `baocao status`;
a unit not submitted once the deadline has passed is shown late.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.web.auth import signed_in
from bot.web.dashboard import dashboard_of
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
    result = await progress(view, catalog, period)
    overdue = now > deadline_at(period, catalog.regime)
    groups = {"submitted": result.submitted, "in_progress": result.in_progress}
    groups["not_started"] = result.not_started
    explained = await _explained(view, period)
    found: dict[str, UnitRow] = {}
    for group, units in groups.items():
        for unit in units:
            people = await view.focal_points.list_for_unit(unit.code)
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
                explained[unit.code],
                tuple(
                    Person(p.display_name or p.user_id, p.unreachable_at is None) for p in people
                ),
            )
    return [found[u.code] for u in catalog.unit_list() if u.code in found]


async def _explained(view: ReadView, period: Period) -> Counter[str]:
    """How many of each unit's values were kept with an explanation."""
    counts: Counter[str] = Counter()
    async for chunk in view.answers.period_values(period):
        for _form, unit_code, _values, explanations in chunk:
            counts[unit_code] += len(explanations)
    return counts


async def overview(request: web.Request) -> web.Response:
    """GET /web/: the overview of the current period (or ?period=YYYY-MM), ?state= filters."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    now = dashboard.clock()
    period = chosen_period(request, dashboard.catalog, now)
    async with dashboard.db.read() as view:
        rows = await overview_rows(view, dashboard.catalog, period, now)
    counts = Counter(row.state for row in rows)
    chosen = request.query.get("state", "")
    shown = [row for row in rows if row.state == chosen] if chosen in STATES else rows
    done = counts["submitted"] + counts["submitted_late"]
    reminded = request.query.get("reminded", "")
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
        csrf=session.csrf,
        admin=session.admin_id,
        reminded=dashboard.catalog.units[reminded].name
        if reminded in dashboard.catalog.units
        else "",
        messages=request.query.get("messages", ""),
    )


def chosen_period(request: web.Request, catalog: Catalog, now: datetime) -> Period:
    """The period of ?period=YYYY-MM, or the one being collected at `now`."""
    try:
        return parse_period(request.query["period"])
    except (KeyError, ValueError):
        return current_period(now, catalog.regime)
