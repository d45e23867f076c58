"""Obligations: which unit owes which form for which period, and how far it has got."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.forms import Form
from domain.periods import Period
from domain.units import Unit


class ObligationState(StrEnum):
    """Where a unit stands with one form for one period."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    SUBMITTED_LATE = "submitted_late"
    REOPENED = "reopened"  # submitted, then opened again for a correction
    LOCKED = "locked"  # the period is closed: no more edits

    @property
    def is_done(self) -> bool:
        """Whether the unit has handed the form in (on time or late)."""
        return self in (ObligationState.SUBMITTED, ObligationState.SUBMITTED_LATE)


@dataclass(frozen=True, slots=True)
class Obligation:
    """One unit's duty to fill one form for one period."""

    unit_code: str
    form_code: str
    period: Period
    state: ObligationState = ObligationState.NOT_STARTED
    submitted_at: datetime | None = None
    locked: bool = False

    @property
    def key(self) -> tuple[str, str, str]:
        """(unit, form, period) identity."""
        return (self.unit_code, self.form_code, self.period.key)


def forms_owed(
    units: Iterable[Unit], period: Period, on: date, forms: Mapping[str, Form] | None = None
) -> list[tuple[str, str]]:
    """(unit code, form code) of what each unit in force on `on` (the period's cut-off
    day) owes for the period, in the units' configured order; with `forms`, a form asked
    less often than monthly only in its own months."""
    skipped = {code for code, form in (forms or {}).items() if not form.due_in(period.month)}
    return [
        (unit.code, code)
        for unit in sorted(units, key=lambda u: u.order)
        if unit.in_force(on)
        for code in unit.forms
        if code not in skipped
    ]


def obligations_owed(
    units: Iterable[Unit], period: Period, on: date, forms: Mapping[str, Form] | None = None
) -> list[Obligation]:
    """What each unit in force on `on` owes for the period, as `forms_owed` says."""
    return [Obligation(unit, code, period) for unit, code in forms_owed(units, period, on, forms)]


def state_on_submit(submitted_at: datetime, deadline: datetime) -> ObligationState:
    """Submitted, or submitted late when after the deadline."""
    if submitted_at > deadline:
        return ObligationState.SUBMITTED_LATE
    return ObligationState.SUBMITTED


def can_edit(obligation: Obligation) -> bool:
    """Whether the unit may still change its answers (the period is not locked)."""
    return obligation.state is not ObligationState.LOCKED and not obligation.locked


def laggards(obligations: Iterable[Obligation]) -> list[str]:
    """Codes of the units that still owe something, each once, in the given order."""
    seen: dict[str, None] = {}
    for obligation in obligations:
        if not obligation.state.is_done and obligation.state is not ObligationState.LOCKED:
            seen.setdefault(obligation.unit_code, None)
    return list(seen)
