"""Answers files: a period's answers written as TOML (the sample data set's format), and
loading them into a database as if units had typed them in chat.

Every value is read with the chat's own parser (`domain.values.parse_value`), so a file
holds what a person would type ("1.924.862", "0,75", "13/02/2022"). See
bot/demo/sample-travinh/answers/2022-02.toml for the layout.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.workspace.load import Workspace
from domain.answers import Answer
from domain.calendar import deadline_at, open_at, period_window
from domain.obligations import ObligationState, obligations_owed, state_on_submit
from domain.periods import Period, parse_period
from domain.values import ValueRejected, encode, parse_value
from storage import Database

# Earlier values (corrections) are stamped this long apart, before the final one.
_EDIT_STEP = timedelta(minutes=5)


class AnswersFileError(ValueError):
    """An answers file that cannot be loaded; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Submission:
    """One unit's answers to one form, as the file gives them."""

    unit: str
    form: str
    answers: dict[str, str]
    submitted_at: datetime | None = None
    by: str = ""
    explanations: dict[str, str] = field(default_factory=dict)
    earlier: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AnswersFile:
    """A period's submissions."""

    period: Period
    submissions: tuple[Submission, ...]


def _texts(table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        return {}
    return {str(k): str(v) for k, v in table.items()}


def read_answers_file(path: Path) -> AnswersFile:
    """Parse an answers file; AnswersFileError if it is not one."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        period = parse_period(str(raw["period"]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError) as error:
        raise AnswersFileError(f"{path.name}: {error}") from None
    submissions = []
    for index, entry in enumerate(raw.get("submission", []), start=1):
        at = entry.get("submitted_at")
        if at is not None and not (isinstance(at, datetime) and at.tzinfo is not None):
            raise AnswersFileError(f"{path.name}: submission {index}: submitted_at needs a zone")
        submissions.append(
            Submission(
                unit=str(entry.get("unit", "")),
                form=str(entry.get("form", "")),
                answers=_texts(entry.get("answers")),
                submitted_at=at,
                by=str(entry.get("by", "")),
                explanations=_texts(entry.get("explanations")),
                earlier={str(k): [str(x) for x in v] for k, v in entry.get("earlier", {}).items()},
            )
        )
    return AnswersFile(period, tuple(submissions))


def _typed(workspace: Workspace, sub: Submission, key: str, typed: str, where: str) -> str:
    form = workspace.forms[sub.form]
    if not form.has_field(key):
        raise AnswersFileError(f"{where}: {sub.form} has no field {key!r}")
    try:
        return encode(parse_value(form.field(key), typed))
    except ValueRejected as error:
        raise AnswersFileError(f"{where}: {key} = {typed!r}: {error}") from None


async def load_answers(db: Database, workspace: Workspace, answers: AnswersFile) -> int:
    """Store a period's answers with their revisions and the units' submission states, as
    the chat would have; the number of answers written. Units must be in the workspace."""
    period = answers.period
    regime = workspace.settings.regime
    known = {u.code for u in workspace.units}
    deadline = deadline_at(period, regime)
    typed_at = open_at(period, regime) + timedelta(days=1)
    written = 0
    async with db.write() as tx:
        await tx.units.sync_all(workspace.units)
        cutoff = period_window(period, regime)[1]
        await tx.obligations.ensure(
            obligations_owed(workspace.units, period, cutoff, workspace.forms)
        )
        await tx.periods.open(period, at=open_at(period, regime))
        for sub in answers.submissions:
            where = f"{period.key} {sub.unit}/{sub.form}"
            if sub.unit not in known or sub.form not in workspace.forms:
                raise AnswersFileError(f"{where}: unknown unit or form")
            at = sub.submitted_at or typed_at
            by = sub.by or f"sample:{sub.unit}"
            for key, typed in sub.answers.items():
                history = [*sub.earlier.get(key, []), typed]
                for step, value in enumerate(history):
                    when = at - _EDIT_STEP * (len(history) - step)
                    final = step == len(history) - 1
                    answer = Answer(
                        sub.unit,
                        sub.form,
                        period.key,
                        key,
                        _typed(workspace, sub, key, value, where),
                        sub.explanations.get(key) if final else None,
                        updated_at=when,
                    )
                    if await tx.answers.set(answer, by, f"sample:{period.key}:{sub.unit}"):
                        written += 1
            state = (
                state_on_submit(sub.submitted_at, deadline)
                if sub.submitted_at
                else ObligationState.IN_PROGRESS
            )
            await tx.obligations.set_state(sub.unit, sub.form, period, state, at=at)
    return written
