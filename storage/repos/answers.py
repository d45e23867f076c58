"""Answers (current values) and revisions (every change to them, append-only)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from typing import Any

from domain.answers import Answer, Revision
from domain.periods import Period
from storage import codec
from storage.records import RevisionRow, UnitValues
from storage.repos.base import Repository
from storage.session import Chunks

_ANSWER_COLUMNS = (
    "unit_code, form_code, period_key, field_key, value, explanation, updated_at, updated_by"
)
_KEY = "period_key = ? AND form_code = ? AND unit_code = ?"

_SELECT_ONE = f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE {_KEY} AND field_key = ?"
_SELECT_OBLIGATION = f"SELECT {_ANSWER_COLUMNS} FROM answers WHERE {_KEY}"
# One obligation's answers (earlier = 0) and, in the same read, the unit's latest non-zero
# value of each of the given fields (a JSON array) before that period (earlier = 1): the
# plausibility check's history, read once per event instead of a query per figure checked.
# Each field's value is one backwards step in the index answers_by_field from the period,
# however many periods the unit has answered (grouping all of them cost 5 times as much
# with three years of history).
_SELECT_OBLIGATION_AND_HISTORY = f"""
SELECT {_ANSWER_COLUMNS}, 0 AS earlier FROM answers WHERE {_KEY}
UNION ALL
SELECT NULL, NULL, NULL, wanted.value, (
    SELECT value FROM answers
    WHERE form_code = ? AND unit_code = ? AND field_key = wanted.value AND period_key < ?
        AND value IS NOT NULL AND CAST(value AS REAL) != 0
    ORDER BY period_key DESC LIMIT 1
), NULL, NULL, NULL, 1 FROM json_each(?) AS wanted
"""
_SELECT_PERIOD = f"""
SELECT {_ANSWER_COLUMNS} FROM answers WHERE period_key = ? AND form_code = ?
ORDER BY unit_code, field_key
"""
_UPSERT = f"""
INSERT INTO answers ({_ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (period_key, form_code, unit_code, field_key) DO UPDATE SET
    value = excluded.value,
    explanation = excluded.explanation,
    updated_at = excluded.updated_at,
    updated_by = excluded.updated_by
"""

_REVISION_COLUMNS = (
    "unit_code, form_code, period_key, field_key, old_value, new_value, changed_at, "
    "changed_by, source_message, explanation"
)
# Writes the revision only if the answer changes (a new answer with no content is no
# change) and returns the previous value: one round trip, and nothing else to do when the
# answer is unchanged. COALESCE(x = y, x IS NULL AND y IS NULL) is NULL-safe equality in
# portable SQL (a plain = yields NULL, and NOT NULL would drop the row).
_INSERT_REVISION = f"""
INSERT INTO revisions ({_REVISION_COLUMNS})
SELECT n.unit_code, n.form_code, n.period_key, n.field_key, a.value, n.value,
       n.changed_at, n.changed_by, n.source_message, n.explanation
FROM (SELECT ? AS unit_code, ? AS form_code, ? AS period_key, ? AS field_key, ? AS value,
             ? AS changed_at, ? AS changed_by, ? AS source_message, ? AS explanation) AS n
LEFT JOIN answers a
    ON a.period_key = n.period_key AND a.form_code = n.form_code
    AND a.unit_code = n.unit_code AND a.field_key = n.field_key
WHERE CASE
    WHEN a.field_key IS NULL THEN n.value IS NOT NULL OR n.explanation IS NOT NULL
    ELSE NOT (
        COALESCE(a.value = n.value, a.value IS NULL AND n.value IS NULL)
        AND COALESCE(a.explanation = n.explanation, a.explanation IS NULL AND n.explanation IS NULL)
    )
END
RETURNING old_value
"""
_SELECT_REVISIONS = f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE {_KEY} ORDER BY id"
# Bulk reads of a whole period: a unit's answers to a form gathered by SQLite into one JSON
# object (json.loads builds the dict in C: a third of the cost of a row per answer), and
# _UNIT_CHUNK such objects into one row, a JSON array. One row per chunk lets SQLite do a
# chunk's work in a single step on the connection's thread, without the GIL, while the
# event loop's thread works on the chunk before; a row per unit made that thread wait for
# the GIL after each row instead (the year's draft read 13 months in 2.4 s instead of 1).
# The explanations are '{}' unless some answer of the unit has one.
_SELECT_PERIOD_VALUES = """
SELECT json_group_array(json_array(form_code, unit_code, json(answered), json(explained)))
FROM (
    SELECT *, (row_number() OVER () - 1) / {chunk} AS chunk FROM (
        SELECT form_code, unit_code, json_group_object(field_key, value) AS answered,
            {explanations} AS explained
        FROM answers WHERE period_key = ?{forms}
        GROUP BY form_code, unit_code
    )
)
GROUP BY chunk
"""
_EXPLANATIONS = "json_group_object(field_key, explanation) FILTER (WHERE explanation IS NOT NULL)"
_NO_EXPLANATIONS = "'{}'"
_UNIT_CHUNK = 500  # units (of 40-odd answers each) per row of a bulk read
_ALL_ROWS = 1 << 30  # rows per hop that no period's read fills
_SELECT_PERIOD_REVISIONS = """
SELECT r.form_code, r.unit_code, r.field_key, r.old_value, r.new_value, r.changed_at,
       r.changed_by, r.source_message, r.explanation
FROM revisions r LEFT JOIN units u ON u.code = r.unit_code
WHERE r.period_key = ? ORDER BY u.sort_order, r.unit_code, r.form_code, r.id
"""
# Per unit and form of a period: answers holding a value, and answers with an explanation.
_SELECT_PERIOD_COUNTS = """
SELECT unit_code, form_code, count(value), count(explanation)
FROM answers WHERE period_key = ? GROUP BY unit_code, form_code
"""
# One field of a form over a span of periods: one range seek per unit in answers_by_field
# (units first), not a scan of every answer of the form (a trend of 12 months of 5,000
# units); a list of keys would be a seek per unit and period.
_SELECT_FIELD_OVER = """
SELECT a.period_key, a.unit_code, a.value
FROM units u CROSS JOIN answers a
  ON a.form_code = ? AND a.unit_code = u.code AND a.field_key = ?
  AND a.period_key BETWEEN ? AND ?
WHERE a.value IS NOT NULL
"""
_SELECT_FIELD_REVISIONS = (
    f"SELECT {_REVISION_COLUMNS} FROM revisions WHERE {_KEY} AND field_key = ? ORDER BY id"
)


def _answer(row: sqlite3.Row) -> Answer:
    # By position (the order of _ANSWER_COLUMNS, which is Answer's): a handler builds an
    # Answer per stored answer of the form on every event, and lookups by name cost a third
    # of that.
    return Answer(
        row[0], row[1], row[2], row[3], row[4], row[5], codec.parse_timestamp(row[6]), row[7]
    )


def _revision(row: sqlite3.Row) -> Revision:
    return Revision(
        unit_code=row["unit_code"],
        form_code=row["form_code"],
        period_key=row["period_key"],
        field_key=row["field_key"],
        old_value=row["old_value"],
        new_value=row["new_value"],
        changed_at=codec.parse_timestamp(row["changed_at"]),
        changed_by=row["changed_by"],
        source_message=row["source_message"],
        explanation=row["explanation"],
    )


def unit_values_of(text: str) -> list[UnitValues]:
    """One chunk of a bulk read as `AnswersReader.period_texts` hands it over: a JSON
    array of [form, unit, values, explanations], one per unit and form."""
    return list(map(tuple, json.loads(text)))


def _unit_values(rows: list[tuple[Any, ...]]) -> list[UnitValues]:
    out: list[UnitValues] = []
    for (text,) in rows:
        out.extend(unit_values_of(text))
    return out


def _texts(rows: list[tuple[Any, ...]]) -> list[str]:
    return [text for (text,) in rows]


def _period_values_query(
    period: Period | str,
    forms: Collection[str] | None,
    explanations: bool,
    fields: Collection[str] | None,
    units: Collection[str] | None,
) -> tuple[str, list[str]]:
    params: list[str] = [codec.period_key(period)]
    where = ""
    for column, wanted in (("form_code", forms), ("field_key", fields), ("unit_code", units)):
        if wanted is not None:
            given = sorted(wanted)
            where += f" AND {column} IN ({', '.join('?' * len(given))})"
            params += given
    sql = _SELECT_PERIOD_VALUES.format(
        explanations=_EXPLANATIONS if explanations else _NO_EXPLANATIONS,
        forms=where,
        chunk=_UNIT_CHUNK,
    )
    return sql, params


class AnswersReader(Repository):
    """Reading answers and their history."""

    __slots__ = ()

    async def get(
        self, unit_code: str, form_code: str, period: Period | str, field_key: str
    ) -> Answer | None:
        """The current answer to one field, or None if never answered."""
        params = (codec.period_key(period), form_code, unit_code, field_key)
        row = await self._s.row(_SELECT_ONE, params)
        return None if row is None else _answer(row)

    async def for_obligation(
        self, unit_code: str, form_code: str, period: Period | str
    ) -> dict[str, Answer]:
        """A unit's answers to one form for one period, by field key."""
        rows = await self._s.rows(
            _SELECT_OBLIGATION, (codec.period_key(period), form_code, unit_code)
        )
        return {row[3]: _answer(row) for row in rows}  # row[3]: field_key

    async def with_history(
        self, unit_code: str, form_code: str, period: Period | str, fields: Collection[str]
    ) -> tuple[dict[str, Answer], dict[str, str]]:
        """A unit's answers to one form for one period, by field key, and in the same read
        its latest non-zero value of each of `fields` in an earlier period (field key ->
        value; a field never answered with one is left out)."""
        key = codec.period_key(period)
        wanted = json.dumps(list(fields))
        params = (key, form_code, unit_code, form_code, unit_code, key, wanted)
        answers: dict[str, Answer] = {}
        history: dict[str, str] = {}
        for row in await self._s.rows(_SELECT_OBLIGATION_AND_HISTORY, params):
            if not row[8]:  # this period's
                answers[row[3]] = _answer(row)
            elif row[4] is not None:  # field_key, its latest non-zero value
                history[row[3]] = str(row[4])
        return answers, history

    async def for_period(
        self, period: Period | str, form_code: str
    ) -> dict[str, dict[str, Answer]]:
        """Every unit's answers to one form for one period: unit code -> field key -> answer."""
        result: dict[str, dict[str, Answer]] = {}
        for row in await self._s.rows(_SELECT_PERIOD, (codec.period_key(period), form_code)):
            result.setdefault(row["unit_code"], {})[row["field_key"]] = _answer(row)
        return result

    async def revisions(
        self,
        unit_code: str,
        form_code: str,
        period: Period | str,
        field_key: str | None = None,
    ) -> list[Revision]:
        """The history of a unit's form (or of one field of it), oldest change first."""
        key = (codec.period_key(period), form_code, unit_code)
        if field_key is None:
            rows = await self._s.rows(_SELECT_REVISIONS, key)
        else:
            rows = await self._s.rows(_SELECT_FIELD_REVISIONS, (*key, field_key))
        return [_revision(r) for r in rows]

    async def period_counts(self, period: Period | str) -> dict[tuple[str, str], tuple[int, int]]:
        """(unit, form) -> (answers holding a value, answers with an explanation) for a
        period, in one read: progress over thousands of units without a query each."""
        rows = await self._s.rows(_SELECT_PERIOD_COUNTS, (codec.period_key(period),))
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def period_values(
        self,
        period: Period | str,
        forms: Collection[str] | None = None,
        *,
        explanations: bool = True,
        fields: Collection[str] | None = None,
        units: Collection[str] | None = None,
    ) -> Chunks[UnitValues]:
        """Every answer of a period (of the given forms, field keys and units only, for
        those given), in chunks of (form, unit, field -> value, field -> explanation),
        one per unit and form, in no particular order.

        The bulk read of the report and the export: no Answer objects (building them, with
        two parsed timestamps each, cost more than the whole draft). Without `explanations`
        the last dict is always empty (the draft prints them for its own period only).
        """
        sql, params = _period_values_query(period, forms, explanations, fields, units)
        return self._s.chunks(sql, params, 1, _unit_values)  # a row is a chunk of units

    def period_texts(self, period: Period | str) -> Chunks[str]:
        """Every answer of a period without explanations, as `period_values` reads them but
        in one hop, unparsed: a list of texts, each for `unit_values_of`. A caller reading
        several periods starts the next one's statement before it parses this one, so that
        SQLite works on it (in the connection's thread, without the GIL) meanwhile."""
        sql, params = _period_values_query(period, None, False, None, None)
        return self._s.chunks(sql, params, _ALL_ROWS, _texts)

    def field_over(
        self, form_code: str, field_key: str, periods: Collection[Period | str]
    ) -> Chunks[tuple[str, str, str]]:
        """(period key, unit, value) of one field of a form over `periods`, in chunks, in no
        particular order; answers without a value are left out. Keys sorting between the
        periods' (another kind of period) may come too: the caller keeps the ones it asked."""
        keys = sorted(codec.period_key(p) for p in periods)
        return self._s.chunks(_SELECT_FIELD_OVER, (form_code, field_key, keys[0], keys[-1]))

    def period_revisions(self, period: Period | str) -> Chunks[RevisionRow]:
        """Every revision of a period in chunks of rows (see `RevisionRow`), by unit (in
        configured order), form and time of the change: the export's revisions sheet."""
        return self._s.chunks(_SELECT_PERIOD_REVISIONS, (codec.period_key(period),))


class AnswersWriter(AnswersReader):
    """Recording answers, each change with its revision."""

    __slots__ = ()

    async def set(
        self, answer: Answer, changed_by: str, source_message: str | None = None
    ) -> Revision | None:
        """Store an answer with its revision; None (nothing written) if value and explanation
        are unchanged. `answer.updated_at` defaults to now; `updated_by` becomes `changed_by`.
        """
        key = codec.period_key(answer.period_key)
        changed_at = answer.updated_at or self._s.now()
        when = codec.timestamp(changed_at)
        identity = (answer.unit_code, answer.form_code, key, answer.field_key)
        written = await self._s.rows(
            _INSERT_REVISION,
            (*identity, answer.value, when, changed_by, source_message, answer.explanation),
        )
        if not written:
            return None
        await self._s.run(_UPSERT, (*identity, answer.value, answer.explanation, when, changed_by))
        return Revision(
            unit_code=answer.unit_code,
            form_code=answer.form_code,
            period_key=key,
            field_key=answer.field_key,
            old_value=written[0]["old_value"],
            new_value=answer.value,
            changed_at=codec.parse_timestamp(when),
            changed_by=changed_by,
            source_message=source_message,
            explanation=answer.explanation,
        )
