"""The obligation a conversation works on: loaded with its form and stored answers, and the
writes to it (an answer, an explanation, its state), each with its revision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.answers import Answer
from domain.forms import Field, FieldKind, Form
from domain.obligations import Obligation, ObligationState, can_edit
from domain.periods import Period, parse_period
from domain.plausibility import Implausible, check_plausible
from domain.validation import Inconsistency, check_consistency, related_fields
from handlers.context import HandlerContext
from handlers.conversation import ConversationState
from handlers.display import numeric_values
from handlers.events import Incoming
from handlers.jobs import drafts_outdated


@dataclass(slots=True)
class Obligated:
    """The obligation a conversation works on, with its form and stored answers."""

    unit_code: str
    form: Form
    period: Period
    obligation: Obligation
    answers: dict[str, Answer]
    previous: dict[str, Answer]
    # The unit's latest non-zero value of each field before this period (the plausibility
    # check's history), read with the answers: field key -> stored value.
    history: dict[str, str]

    @property
    def stored(self) -> dict[str, str | None]:
        """Field key to stored canonical value."""
        return {key: answer.value for key, answer in self.answers.items()}

    def problems(self) -> list[Inconsistency]:
        """Broken relations, explained or not."""
        if not related_fields(self.form):
            return []  # no relation to break: spare typing every answer on every event
        values = numeric_values(self.form, self.stored)
        previous = numeric_values(
            self.form, {key: answer.value for key, answer in self.previous.items()}
        )
        return check_consistency(self.form, values, previous)

    def open_problems(self) -> list[Inconsistency]:
        """Broken relations that the unit has neither fixed nor explained."""
        return [p for p in self.problems() if not self._explained(p.field_key)]

    def _explained(self, key: str) -> bool:
        answer = self.answers.get(key)
        return bool(answer and answer.explanation)


async def load(ctx: HandlerContext, state: ConversationState) -> Obligated:
    """The obligation of the conversation, as stored now."""
    form = ctx.catalog.forms[state.form]
    period = parse_period(state.period)
    tx = ctx.tx
    obligation = await tx.obligations.get(state.unit, state.form, period.key)
    if obligation is None:
        obligation = Obligation(state.unit, state.form, period)
        await tx.obligations.ensure([obligation])
    history: dict[str, str] = {}
    compared = compared_with_history(form)
    if compared:
        unit, code = state.unit, state.form
        answers, history = await tx.answers.with_history(unit, code, period.key, compared)
    else:
        answers = await tx.answers.for_obligation(state.unit, state.form, period.key)
    previous: dict[str, Answer] = {}
    if uses_previous_period(form):
        previous = await tx.answers.for_obligation(state.unit, state.form, period.previous().key)
    return Obligated(state.unit, form, period, obligation, answers, previous, history)


def frozen(work: Obligated, state: ConversationState) -> bool:
    """Whether the answers may not change in this conversation: the period is locked, or the
    report was sent and the person did not open it to change it (/sua)."""
    if not can_edit(work.obligation):
        return True
    return work.obligation.state.is_done and not state.revising


def compared_with_history(form: Form) -> list[str]:
    """The fields whose figures are compared with the unit's history (plausible_ratio): the
    history is read with the answers only for them."""
    return [f.key for f in form.fields if f.type.is_numeric and f.plausible_ratio]


def uses_previous_period(form: Form) -> bool:
    """Whether last period's answers matter to this form: only stocks show them and check
    against them (a query saved on every answer to a form of flows alone)."""
    return any(f.kind is FieldKind.STOCK or f.stock_of for f in form.fields)


async def store_value(
    ctx: HandlerContext,
    work: Obligated,
    field: Field,
    stored: str | None,
    event: Incoming,
) -> None:
    """Keep an answer (with its revision) and mark the obligation as in progress."""
    answer = Answer(
        unit_code=work.unit_code,
        form_code=work.form.code,
        period_key=work.period.key,
        field_key=field.key,
        value=stored,
        explanation=None,
        updated_at=ctx.now,
        updated_by=event.sender.person_key,
    )
    changed = await ctx.tx.answers.set(answer, event.sender.person_key, event.message_ref or None)
    if changed:
        ctx.notices.extend(await drafts_outdated(ctx, work.period, work.unit_code))
    work.answers[field.key] = answer
    if work.obligation.state is ObligationState.NOT_STARTED:
        await set_state(ctx, work, ObligationState.IN_PROGRESS)
    elif work.obligation.state.is_done and changed:
        # A change, not a look, takes a sent report back: it must be sent again.
        await set_state(ctx, work, ObligationState.REOPENED)
    await _drop_stale_explanations(ctx, work, event)


async def _drop_stale_explanations(ctx: HandlerContext, work: Obligated, event: Incoming) -> None:
    """Explanations of figures whose relations hold again are dropped: the office would
    read an excuse for a mistake that is no longer there. Their revisions keep them."""
    related = related_fields(work.form)
    explained = [k for k, a in work.answers.items() if a.explanation and k in related]
    if not explained:
        return
    failing = {problem.field_key for problem in work.problems()}
    for key in explained:
        if key in failing or not work.form.has_field(key):
            continue
        if questioned(work, key) is None:  # not kept as an unusual figure either
            await store_explanation(ctx, work, work.form.field(key), None, event)


async def store_explanation(
    ctx: HandlerContext, work: Obligated, field: Field, explanation: str | None, event: Incoming
) -> None:
    """Keep why a flagged figure is right (None: no longer needed), as a revision of that
    answer."""
    current = work.answers.get(field.key)
    answer = Answer(
        unit_code=work.unit_code,
        form_code=work.form.code,
        period_key=work.period.key,
        field_key=field.key,
        value=current.value if current else None,
        explanation=explanation,
        updated_at=ctx.now,
        updated_by=event.sender.person_key,
    )
    await ctx.tx.answers.set(answer, event.sender.person_key, event.message_ref or None)
    work.answers[field.key] = answer


async def set_state(ctx: HandlerContext, work: Obligated, state: ObligationState) -> None:
    """Move the obligation to `state`, noting when it was first handed in."""
    submitted_at = work.obligation.submitted_at
    if state.is_done and submitted_at is None:
        submitted_at = ctx.now
    await ctx.tx.obligations.set_state(
        work.unit_code, work.form.code, work.period.key, state, ctx.now, submitted_at
    )
    work.obligation = Obligation(
        work.unit_code, work.form.code, work.period, state, submitted_at, work.obligation.locked
    )


def new_problems(work: Obligated, field_keys: set[str]) -> list[Inconsistency]:
    """Open problems that involve these fields (to show right after they were answered)."""
    return [p for p in work.open_problems() if field_keys.intersection(p.involved)]


def questioned(work: Obligated, key: str) -> Implausible | None:
    """Whether the stored value of `key` is far outside the unit's own history (explained
    or not)."""
    if not work.form.has_field(key):
        return None
    field = work.form.field(key)
    answer = work.answers.get(key)
    if not field.type.is_numeric or answer is None or answer.value is None:
        return None
    if not field.plausible_ratio and field.plausible_max is None:
        return None
    earlier = work.history.get(key)
    previous = None if earlier is None else Decimal(earlier)
    return check_plausible(field, Decimal(answer.value), previous)
