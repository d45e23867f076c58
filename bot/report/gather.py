"""Reading what a draft needs from the database: answers of the period and of the periods
the declaration looks back to, and where each unit stands with its forms."""

from __future__ import annotations

from collections.abc import (
    AsyncIterator,
    Callable,
    Collection,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from datetime import datetime

from domain.calendar import period_window
from domain.forms import Form
from domain.obligations import ObligationState, forms_owed
from domain.periods import Period, ReportingRegime
from domain.report import DerivedKind, ReportSpec
from domain.report_figures import PeriodAnswers
from domain.units import Unit
from domain.values import TypedValue, decoder
from storage import Database, ReadView, UnitValues, unit_values_of


@dataclass(slots=True)
class Standing:
    """Who handed everything in, who was late (and when), who still owes which forms."""

    reported: list[str] = field(default_factory=list)
    late: dict[str, datetime] = field(default_factory=dict)
    pending: dict[str, list[str]] = field(default_factory=dict)


def year_to_date_months(spec: ReportSpec, period: Period) -> set[Period]:
    """January to the period's (last) month when a figure counts the year to date; else
    none."""
    if not any(d.kind is DerivedKind.YEAR_TO_DATE for d in spec.derived.values()):
        return set()
    return {Period(period.year, m) for m in range(1, period.month + 1)}


def periods_needed(spec: ReportSpec, period: Period) -> list[Period]:
    """The period, the previous one, and January on for year-to-date figures."""
    return sorted({period, period.previous()} | year_to_date_months(spec, period))


class _Typed:
    """Typed answers of some forms for one period, fed chunk by chunk as storage streams
    them; answers to fields no longer in a form are left out (the form changed since)."""

    def __init__(
        self,
        forms: Mapping[str, Form],
        form_codes: Iterable[str],
        with_explanations: bool,
        keys: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        # One decoder per field, chosen once: the loop below runs once per stored answer.
        # `keys`: only these fields of each form are kept (the rest are never decoded).
        self._decoders: dict[str, dict[str, Callable[[str], TypedValue]]] = {
            code: {
                f.key: decoder(f)
                for f in forms[code].fields
                if keys is None or f.key in keys.get(code, ())
            }
            for code in form_codes
        }
        self.values: dict[str, dict[str, dict[str, TypedValue]]] = {
            code: {} for code in self._decoders
        }
        self.explanations: dict[tuple[str, str, str], str] | None = (
            {} if with_explanations else None
        )

    def add(self, chunk: Iterable[UnitValues]) -> None:
        """Type and file a chunk of units' answers."""
        decoders, values, explanations = self._decoders, self.values, self.explanations
        for form_code, unit_code, given, explained in chunk:
            fields = decoders.get(form_code)
            if fields is None:
                continue
            values[form_code][unit_code] = {
                key: fields[key](value)
                for key, value in given.items()
                if value is not None and key in fields
            }
            if explanations is not None:
                for key, explanation in explained.items():
                    if explanation and key in fields:
                        explanations[(form_code, unit_code, key)] = explanation


async def read_history(
    db: Database, forms: Mapping[str, Form], spec: ReportSpec, period: Period
) -> dict[Period, PeriodAnswers]:
    """Answers of every period the draft of `period` looks at, from one snapshot.

    The period and the previous one are read whole (every form is checked against last
    period's stocks); earlier months only for the forms year-to-date figures read.
    Explanations are read for the period itself only (the warnings print them).
    """
    history = {}
    ytd_forms = {
        spec.figures[d.of[0]].form
        for d in spec.derived.values()
        if d.kind is DerivedKind.YEAR_TO_DATE and d.of and d.of[0] in spec.figures
    }
    async with db.read() as view:
        for wanted in periods_needed(spec, period):
            whole = wanted in (period, period.previous())
            codes = list(forms) if whole else [c for c in forms if c in ytd_forms]
            typed = _Typed(forms, codes, wanted == period)
            rows = view.answers.period_values(
                wanted, None if whole else codes, explanations=wanted == period
            )
            async for chunk in rows:
                typed.add(chunk)
            history[wanted] = PeriodAnswers(wanted, typed.values, typed.explanations)
    return history


async def read_period_fields(
    view: ReadView,
    forms: Mapping[str, Form],
    keys: Mapping[str, Collection[str]],
    period: Period,
    *,
    units: Collection[str] | None = None,
    explanations: bool,
) -> PeriodAnswers:
    """Answers of one period to some fields (form -> keys), of `units` only if given, typed
    as the draft reads them: only those fields are read from storage and decoded."""
    typed = _Typed(forms, list(keys), explanations, keys)
    wanted = {key for fields in keys.values() for key in fields}
    rows = view.answers.period_values(
        period, list(keys), explanations=explanations, fields=wanted, units=units
    )
    async for chunk in rows:
        typed.add(chunk)
    return PeriodAnswers(period, typed.values, typed.explanations)


async def read_fields_over(
    db: Database,
    forms: Mapping[str, Form],
    keys: Mapping[str, Collection[str]],
    periods: Iterable[Period],
    explained: Period | None = None,
) -> dict[Period, PeriodAnswers]:
    """Answers to some fields (form -> keys) over several periods, from one snapshot: a
    query per period, never one per unit; only those fields are decoded and kept (the
    charts' 12 periods of a 5,000-unit office stay small). Explanations are read for the
    period `explained` only (the dashboard's figures page cites them in its warnings)."""
    wanted = {code: fields for code, fields in keys.items() if code in forms}
    history = {}
    async with db.read() as view:
        for period in periods:
            told = period == explained
            history[period] = await read_period_fields(
                view, forms, wanted, period, explanations=told
            )
    return history


async def read_field_over(
    db: Database, form: Form, key: str, periods: Iterable[Period]
) -> dict[Period, PeriodAnswers]:
    """One field's answers over several periods, from one snapshot and one query that seeks
    each unit's few values (a chosen figure's trend on the dashboard)."""
    wanted = list(periods)
    if not wanted:
        return {}
    by_key: dict[str, dict[str, dict[str, TypedValue]]] = {p.key: {} for p in wanted}
    typed = decoder(form.field(key))
    async with db.read(one_statement=True) as view:
        async for chunk in view.answers.field_over(form.code, key, wanted):
            for period_key, unit_code, value in chunk:
                found = by_key.get(period_key)
                if found is not None:
                    found[unit_code] = {key: typed(value)}
    return {p: PeriodAnswers(p, {form.code: by_key[p.key]}) for p in wanted}


async def read_fields_seeking(
    db: Database,
    forms: Mapping[str, Form],
    keys: Mapping[str, Collection[str]],
    periods: Iterable[Period],
) -> dict[Period, PeriodAnswers]:
    """What `read_fields_over` reads, a field at a time (`read_field_over`: each unit's few
    values sought, not every answer of each period read and most dropped): the charts' 3
    fields of a 40-question form over 12 periods of 5,000 units take half the CPU time
    (1.2 s, not 2.1). A snapshot per field: each field's trend is read whole at once."""
    wanted = list(periods)
    codes = [c for c in keys if c in forms]
    values: dict[Period, dict[str, dict[str, dict[str, TypedValue]]]] = {
        p: {c: {} for c in codes} for p in wanted
    }
    for form_code in codes:
        form = forms[form_code]
        for key in sorted(k for k in keys[form_code] if form.has_field(k)):
            for period, read in (await read_field_over(db, form, key, wanted)).items():
                for unit_code, given in read.values.get(form_code, {}).items():
                    values[period][form_code].setdefault(unit_code, {}).update(given)
    return {p: PeriodAnswers(p, found) for p, found in values.items()}


async def read_standing(
    view: ReadView,
    units: Iterable[Unit],
    regime: ReportingRegime,
    period: Period,
    forms: Mapping[str, Form] | None = None,
) -> Standing:
    """Each unit owing forms this period (`forms`: only those asked this month), classified
    as /trangthai does."""
    return (await read_standings(view, units, regime, [period], forms))[0][1]


async def read_standings(
    view: ReadView,
    units: Iterable[Unit],
    regime: ReportingRegime,
    periods: Sequence[Period],
    forms: Mapping[str, Form] | None = None,
) -> list[tuple[Period, Standing]]:
    """`read_standing` of several periods (a longer one's months), from one query."""
    stored = await view.obligations.states_over(periods)
    return [(period, _standing(units, regime, period, forms, stored)) for period in periods]


# Handed in (on time or late) or locked: nothing more is owed. Compared by identity, as
# `is_done` does, without a property call per unit and month.
_CLOSED = (*(state for state in ObligationState if state.is_done), ObligationState.LOCKED)


def _standing(
    units: Iterable[Unit],
    regime: ReportingRegime,
    period: Period,
    forms: Mapping[str, Form] | None,
    stored: Mapping[tuple[str, str, str], tuple[ObligationState, datetime | None]],
) -> Standing:
    cutoff = period_window(period, regime)[1]
    key = period.key
    unstarted = (ObligationState.NOT_STARTED, None)
    by_unit: dict[str, list[tuple[str, ObligationState, datetime | None]]] = {}
    for unit_code, form_code in forms_owed(units, period, cutoff, forms):
        state, at = stored.get((key, unit_code, form_code), unstarted)
        by_unit.setdefault(unit_code, []).append((form_code, state, at))
    standing = Standing()
    closed = _CLOSED
    for unit_code, states in by_unit.items():
        open_forms = [form for form, state, _ in states if state not in closed]
        if open_forms:
            standing.pending[unit_code] = open_forms
            continue
        standing.reported.append(unit_code)
        late = [at for _, state, at in states if state is ObligationState.SUBMITTED_LATE and at]
        if late:
            standing.late[unit_code] = max(late)
    return standing


async def stream_months(
    view: ReadView, forms: Mapping[str, Form], months: Iterable[Period]
) -> AsyncIterator[tuple[Period, Iterator[tuple[str, str, dict[str, str | None]]]]]:
    """Every form's answers of several months as storage keeps them (field -> canonical
    text, None: cleared), a month at a time as given: (month, its (form, unit, answers)),
    parsed as the caller iterates them. A longer period is added up holding one month at a
    time, decoded only where needed; the caller works on a month without awaiting."""
    months = list(months)
    # Reads the caller leaves unfinished are closed with its read block (Session.end).
    reads = [view.answers.period_texts(m) for m in months]
    for i, (month, read) in enumerate(zip(months, reads, strict=True)):
        async for texts in read:
            if i + 1 < len(reads):
                # SQLite reads the next month on its own thread, without the GIL, while
                # this one is parsed and added up here: the year's draft waits for neither.
                await reads[i + 1].start()
            yield month, _parsed(texts, forms)


def _parsed(
    texts: Iterable[str], forms: Mapping[str, Form]
) -> Iterator[tuple[str, str, dict[str, str | None]]]:
    for text in texts:
        for form_code, unit_code, stored, _ in unit_values_of(text):
            if form_code in forms:
                yield form_code, unit_code, stored
