"""A unit's page: its answers for a period, each with its history (who, when, old -> new)
and explanation, and its focal points."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any

from aiohttp import web

from bot.web.auth import Refused, signed_in
from bot.web.dashboard import dashboard_of
from bot.web.overview import chosen_period, time_shown
from bot.web.render import page
from domain.forms import Field
from domain.values import decode
from handlers.context import Catalog
from handlers.display import show_value
from storage import ReadView


@dataclass(frozen=True, slots=True)
class Change:
    """One revision of an answer as shown."""

    when: str
    who: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One question of a form: its current answer, explanation and history."""

    label: str
    value: str
    explanation: str
    history: tuple[Change, ...]


def shown(field: Field | None, value: str | None) -> str:
    """A stored value as the office reads it, as the chat shows it (numbers the Vietnamese
    way, percentages with %, days as dd/mm/yyyy); "" for none, the text as stored when its
    question is gone or its type changed since."""
    if value is None:
        return ""
    if field is None:
        return value
    try:
        return show_value(field, decode(field, value), with_measure=False)
    except (InvalidOperation, ValueError):
        return value


async def _forms(
    view: ReadView, catalog: Catalog, code: str, period_key: str, names: dict[str, str]
) -> list[tuple[str, list[FieldRow]]]:
    blocks = []
    for form_code in catalog.units[code].forms:
        form = catalog.forms.get(form_code)
        if form is None:
            continue
        answers = await view.answers.for_obligation(code, form_code, period_key)
        changes: dict[str, list[Change]] = {}
        for r in await view.answers.revisions(code, form_code, period_key):
            when = time_shown(r.changed_at, catalog.zone)
            who = names.get(r.changed_by, r.changed_by)
            asked = form.field(r.field_key) if form.has_field(r.field_key) else None
            change = Change(when, who, shown(asked, r.old_value), shown(asked, r.new_value))
            changes.setdefault(r.field_key, []).append(change)
        rows = []
        for field in form.fields:
            answer = answers.get(field.key)
            value = shown(field, answer.value) if answer else ""
            explanation = (answer.explanation or "") if answer else ""
            history = tuple(changes.get(field.key, ()))
            rows.append(FieldRow(field.label or field.question, value, explanation, history))
        blocks.append((form.title, rows))
    return blocks


async def unit_page(request: web.Request) -> web.Response:
    """GET /web/units/CODE[?period=YYYY-MM]: the unit's answers and their history."""
    session = await signed_in(request)
    dashboard = dashboard_of(request)
    catalog = dashboard.catalog
    code = request.match_info["code"]
    if code not in catalog.units:
        raise Refused("unknown_unit")
    period = chosen_period(request.query, catalog, dashboard.clock())
    async with dashboard.db.read() as view:
        people = await view.focal_points.list_for_unit(code)
        names = {f"{p.channel}:{p.user_id}": p.display_name or p.user_id for p in people}
        blocks = await _forms(view, catalog, code, period.key, names)
    values: dict[str, Any] = {"unit": catalog.units[code], "period": period, "forms": blocks}
    values["csrf"] = session.csrf  # the logout form of every page
    values["people"] = [(p.display_name or p.user_id, p.unreachable_at is None) for p in people]
    return page("unit", **values)
