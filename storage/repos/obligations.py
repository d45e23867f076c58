"""Obligations: which unit owes which form for which period, and where it stands."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from domain.obligations import Obligation, ObligationState
from domain.periods import Period
from storage import codec
from storage.errors import NotFoundError
from storage.repos.base import Repository
from storage.session import Chunks

# `locked` comes from the period: a locked period freezes every obligation in it, except
# those the office unlocked for a late correction.
_SELECT = """
SELECT o.unit_code, o.form_code, o.period_key, o.state, o.submitted_at, p.locked_at,
       o.unlocked_at
FROM obligations o JOIN periods p ON p.key = o.period_key
"""
_SELECT_ONE = _SELECT + "WHERE o.period_key = ? AND o.form_code = ? AND o.unit_code = ?"
_SELECT_PERIOD = (
    _SELECT
    + "JOIN units u ON u.code = o.unit_code WHERE o.period_key = ? "
    + "ORDER BY u.sort_order, o.unit_code, o.form_code"
)
_SELECT_PERIOD_FORM = (
    _SELECT
    + "JOIN units u ON u.code = o.unit_code WHERE o.period_key = ? AND o.form_code = ? "
    + "ORDER BY u.sort_order, o.unit_code"
)
# Where each obligation of several periods stands, joined as _SELECT_PERIOD is (an
# obligation of a unit no longer in the units table is not listed), in no order.
_SELECT_STATES = """
SELECT o.period_key, o.unit_code, o.form_code, o.state, o.submitted_at
FROM obligations o JOIN periods p ON p.key = o.period_key JOIN units u ON u.code = o.unit_code
WHERE o.period_key IN ({keys})
"""
_ENSURE = """
INSERT INTO obligations (period_key, form_code, unit_code, state, updated_at)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (period_key, form_code, unit_code) DO NOTHING
"""
_ENSURE_PERIOD = "INSERT INTO periods (key) VALUES (?) ON CONFLICT (key) DO NOTHING"
# started_at is kept from the first move away from not_started. submitted_at takes an
# explicit value if given, else the first submission's time: a form reopened and handed in
# again still counts from when it was first handed in.
_SET_STATE = """
UPDATE obligations SET
    state = ?,
    started_at = CASE WHEN ? = 1 THEN COALESCE(started_at, ?) ELSE started_at END,
    submitted_at = COALESCE(
        ?, CASE WHEN ? = 1 THEN COALESCE(submitted_at, ?) ELSE submitted_at END
    ),
    updated_at = ?
WHERE period_key = ? AND form_code = ? AND unit_code = ?
"""


_UNLOCK = """
UPDATE obligations SET
    unlocked_at = ?,
    state = CASE WHEN state IN ('submitted', 'submitted_late', 'locked') THEN 'reopened'
                 ELSE state END,
    updated_at = ?
WHERE period_key = ? AND unit_code = ?
"""


# A dict lookup, not the enum's call: a province's period is thousands of rows.
_STATES = {state.value: state for state in ObligationState}


def _obligation(row: sqlite3.Row, period: Period | None = None) -> Obligation:
    state = _STATES[row["state"]]
    return Obligation(
        unit_code=row["unit_code"],
        form_code=row["form_code"],
        period=period or codec.period_from_key(row["period_key"]),
        state=state,
        submitted_at=codec.optional_parse_timestamp(row["submitted_at"]),
        locked=(row["locked_at"] is not None and row["unlocked_at"] is None)
        or state is ObligationState.LOCKED,
    )


class ObligationsReader(Repository):
    """Looking up obligations."""

    __slots__ = ()

    async def get(self, unit_code: str, form_code: str, period: Period | str) -> Obligation | None:
        """One obligation, or None if it was never ensured."""
        params = (codec.period_key(period), form_code, unit_code)
        row = await self._s.row(_SELECT_ONE, params)
        return None if row is None else _obligation(row)

    async def list_for_period(
        self, period: Period | str, form_code: str | None = None
    ) -> list[Obligation]:
        """A period's obligations (optionally of one form), in the units' configured order."""
        key = codec.period_key(period)
        if form_code is None:
            rows = await self._s.rows(_SELECT_PERIOD, (key,))
        else:
            rows = await self._s.rows(_SELECT_PERIOD_FORM, (key, form_code))
        decoded = codec.period_from_key(key)  # the same for every row
        return [_obligation(r, decoded) for r in rows]

    async def states_over(
        self, periods: Iterable[Period | str]
    ) -> dict[tuple[str, str, str], tuple[ObligationState, datetime | None]]:
        """(period key, unit, form) -> (state, when handed in) of every obligation of these
        periods listed by `list_for_period`: one query for a longer period's months,
        without building an Obligation per row (a year of a big office has 60,000)."""
        keys = sorted({codec.period_key(p) for p in periods})
        if not keys:
            return {}
        sql = _SELECT_STATES.format(keys=", ".join("?" * len(keys)))
        parse, states = codec.optional_parse_timestamp, _STATES
        found: dict[tuple[str, str, str], tuple[ObligationState, datetime | None]] = {}
        # Plain tuples, not sqlite3.Row: a year of a big office is 60,000 rows.
        rows: Chunks[tuple[str, str, str, str, str | None]] = self._s.chunks(sql, keys)
        async for chunk in rows:
            found.update(
                ((period, unit, form), (states[state], parse(submitted)))
                for period, unit, form, state, submitted in chunk
            )
        return found


class ObligationsWriter(ObligationsReader):
    """Creating obligations and moving them between states."""

    __slots__ = ()

    async def ensure(self, obligations: Iterable[Obligation], at: datetime | None = None) -> int:
        """Create the obligations that do not exist yet (and their periods); count the new ones.

        Existing obligations keep their state. Their units must exist (`units.sync_all`).
        """
        when = codec.timestamp(at or self._s.now())
        rows = [(o.period.key, o.form_code, o.unit_code, o.state.value, when) for o in obligations]
        periods = sorted({row[0] for row in rows})
        await self._s.run_many(_ENSURE_PERIOD, [(key,) for key in periods])
        return await self._s.run_many(_ENSURE, rows)

    async def set_state(
        self,
        unit_code: str,
        form_code: str,
        period: Period | str,
        state: ObligationState,
        at: datetime | None = None,
        submitted_at: datetime | None = None,
    ) -> Obligation:
        """Move an obligation to `state`, stamping start and submission times; NotFoundError.

        `submitted_at` overrides the submission time; by default a submitted state stamps
        `at` unless an earlier submission time is already stored.
        """
        key = codec.period_key(period)
        when = codec.timestamp(at or self._s.now())
        started = int(state is not ObligationState.NOT_STARTED)
        submitted = int(state.is_done)
        params = (
            state.value,
            started,
            when,
            codec.optional_timestamp(submitted_at),
            submitted,
            when,
            when,
            key,
            form_code,
            unit_code,
        )
        if await self._s.run(_SET_STATE, params) == 0:
            raise NotFoundError(f"no obligation {unit_code}/{form_code}/{key}")
        return _obligation(await self._s.one(_SELECT_ONE, (key, form_code, unit_code)))

    async def unlock_unit(
        self, unit_code: str, period: Period | str, at: datetime | None = None
    ) -> int:
        """Let one unit change its answers in a locked period; submitted forms are reopened.
        Returns how many obligations were unlocked."""
        when = codec.timestamp(at or self._s.now())
        key = codec.period_key(period)
        return await self._s.run(_UNLOCK, (when, when, key, unit_code))
