"""A flagged value stops the flow: the bot questions it in a message of its own, whose
buttons act on that value only (keep it, with an explanation, or fix it); the next question
comes in its own message once the value is kept or fixed."""

from __future__ import annotations

import dataclasses

from domain.forms import Form
from domain.numbers import format_number
from domain.plausibility import Implausible
from domain.validation import Inconsistency
from handlers.conversation import Awaiting, ConversationState
from handlers.display import describe_problem
from handlers.events import Choice, Reply
from handlers.obligated import Obligated, new_problems, questioned
from handlers.repeats import flags
from handlers.unit_buttons import Explain, Fix
from templates.catalog import text


def doubts(work: Obligated, keys: list[str]) -> list[Implausible]:
    """The values of `keys` to question that the unit has not explained yet."""
    found = []
    for key in keys:
        answer = work.answers.get(key)
        if answer is not None and answer.explanation:
            continue  # questioned once: kept with an explanation
        doubt = questioned(work, key)
        if doubt is not None:
            found.append(doubt)
    return found


def flag(
    chat_id: str,
    work: Obligated,
    state: ConversationState,
    keys: list[str],
    notes: list[str],
) -> Reply | None:
    """The message questioning the first of `keys` (in form order) that breaks a relation
    or looks implausible, the conversation waiting on it; None if none does."""
    for key in sorted(keys, key=work.form.position):
        problems = new_problems(work, {key})
        found = doubts(work, [key])
        if problems or found:
            state.flagged = key
            state.awaiting = Awaiting.FLAGGED
            state.index = work.form.position(key) - 1
            reply = _flagged_reply(chat_id, work.form, key, problems, found, notes)
            return dataclasses.replace(reply, extra={**reply.extra, **flags(work, key)})
    state.flagged = ""
    return None


def _flagged_reply(
    chat_id: str,
    form: Form,
    key: str,
    problems: list[Inconsistency],
    found: list[Implausible],
    notes: list[str],
) -> Reply:
    lines = [*notes]
    lines += [text("chat.problem_found", problem=describe_problem(form, p)) for p in problems]
    lines += [describe_doubt(d) for d in found]
    label = form.field(key).title
    lines.append(text("chat.flagged_choices", label=label))
    # Keep explains the figure the rule is about (a total, for parts that do not add up);
    # Fix asks again the value just given.
    explained = list(
        dict.fromkeys([*(p.field_key for p in problems), *(d.field_key for d in found)])
    )
    keep = tuple(
        Choice(text("chat.button_keep_flagged", label=form.field(k).title), Explain(k).pack())
        for k in explained[:3]
    )
    fix = (Choice(text("chat.button_fix", label=label), Fix(key).pack()),)
    return Reply(chat_id=chat_id, text="\n\n".join(lines), choices=(keep, fix))


def keep_target(work: Obligated, state: ConversationState) -> str:
    """The field «Giữ nguyên» explains while a value is flagged."""
    problems = new_problems(work, {state.flagged})
    return problems[0].field_key if problems else state.flagged


def describe_doubt(doubt: Implausible) -> str:
    """'⚠ Số này gấp 37 lần kỳ trước (100 → 3.700).' and the like."""
    return text(
        "chat.doubt",
        times=format_number(doubt.times) if doubt.times is not None else "",
        less=doubt.less,
        value=format_number(doubt.value),
        previous=format_number(doubt.previous) if doubt.previous is not None else "",
        max=format_number(doubt.max) if doubt.max is not None else "",
    )
