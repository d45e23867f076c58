"""Typed values out of a parsed TOML table, each mistake recorded as a Problem rather than
raised, so that one pass over a file reports all of them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Final, TypeVar

from bot.workspace.problems import Problem
from bot.workspace.toml_positions import Position, TomlPath
from templates.catalog import text


class _Missing(Enum):
    MISSING = "missing"


REQUIRED: Final = _Missing.MISSING
T = TypeVar("T")

_HH_MM = re.compile(r"^(\d{1,2}):(\d{2})$")


def toml_repr(value: Any) -> str:
    """A value written the way it looks in a TOML file, for quoting it back to the user."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_repr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_repr(v)}" for k, v in value.items()) + " }"
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)


def type_name(value: Any) -> str:
    """The Vietnamese name of a TOML value's type, from the catalog."""
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int):
        kind = "int"
    elif isinstance(value, float):
        kind = "float"
    elif isinstance(value, str):
        kind = "str"
    elif isinstance(value, list):
        kind = "list"
    elif isinstance(value, dict):
        kind = "table"
    else:  # dates and times: TOML has four kinds, users only need to know it is one
        kind = "datetime"
    return text(f"cli.type_name.{kind}")


def parse_clock(value: Any) -> time | None:
    """A time of day from "HH:MM" (or a TOML time); None if it is not one."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        return None
    match = _HH_MM.match(value.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return time(int(match[1]), int(match[2]))


def _clock_text(value: time) -> str:
    return f'"{value.strftime("%H:%M")}"'


class TableReader:
    """Reads typed values from one TOML table, recording problems instead of raising.

    Each getter returns a usable value (the default on a problem) so that reading goes on
    and every mistake gets reported. `finish()` then reports keys nobody asked for.
    """

    def __init__(
        self,
        table: Mapping[str, Any],
        *,
        file: str,
        problems: list[Problem],
        prefix: str = "",
        positions: Mapping[TomlPath, Position] | None = None,
        table_path: TomlPath = (),
    ) -> None:
        self.table = table
        self.file = file
        self.problems = problems
        self.prefix = prefix
        # Where keys are in the file (toml_positions), and this table's path among them.
        self.positions: Mapping[TomlPath, Position] = positions or {}
        self.table_path = table_path
        self._known: list[str] = []

    # -- plumbing

    def key_path(self, key: str) -> str:
        """The dotted name of a key as shown to users, e.g. regime.deadline_day."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def position(self, key: str) -> Position | None:
        """Where `key` is in the file; where this table starts if the key is absent."""
        return self.positions.get((*self.table_path, key)) or self.positions.get(self.table_path)

    def line(self, key: str) -> int | None:
        """The line of `key` in the file (its table's when absent), None if unknown."""
        where = self.position(key)
        return where.line if where else None

    def problem(self, key: str, code: str, **values: Any) -> None:
        """Record a problem about `key` of this table, at its line (and column when other
        things stand before it on that line, as in an inline table)."""
        where = self.position(key)
        self.problems.append(
            Problem(
                self.file,
                code,
                key=self.key_path(key),
                line=where.line if where else None,
                column=where.column if where and not where.first_on_line else None,
                values=values,
            )
        )

    def has(self, key: str) -> bool:
        """Whether the table sets `key` (and mark the key as known)."""
        self._note(key)
        return key in self.table

    def _note(self, key: str) -> None:
        if key not in self._known:
            self._known.append(key)

    def _get(self, key: str, default: T | _Missing, example: str) -> Any:
        self._note(key)
        if key in self.table:
            return self.table[key]
        if default is REQUIRED:
            self.problem(key, "missing_key", example=f"{key} = {example}")
        return REQUIRED

    def wrong_type(self, key: str, value: Any, expected: str, example: str) -> None:
        """Record that `value` is not of the `expected` kind (a cli.expect.* name)."""
        self.problem(
            key,
            "wrong_type",
            value=toml_repr(value),
            got=type_name(value),
            expected=text(f"cli.expect.{expected}"),
            example=example,
        )

    def wrong_items(self, key: str, value: Any, ok: Any, expected: str, example: str) -> None:
        """Record a list that is not all `ok`: name its first wrong item when it is a list."""
        if isinstance(value, list):
            bad = next(v for v in value if not ok(v))
            self.problem(
                key,
                "wrong_item",
                value=toml_repr(bad),
                got=type_name(bad),
                expected=text(f"cli.expect.{expected}"),
                example=example,
            )
        else:
            self.wrong_type(key, value, expected, example)

    # -- getters

    def text(
        self, key: str, default: str | _Missing = REQUIRED, *, example: str, empty: bool = True
    ) -> str:
        """A string; `empty=False` refuses blank ones."""
        value = self._get(key, default, toml_repr(example))
        if value is REQUIRED:
            return default if isinstance(default, str) else ""
        if not isinstance(value, str):
            self.wrong_type(key, value, "str", toml_repr(example))
            return default if isinstance(default, str) else ""
        if not empty and not value.strip():
            self.problem(key, "empty_text", example=f"{key} = {toml_repr(example)}")
        return value.strip()

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        """One of a few strings."""
        value = self.text(key, default, example=default)
        if value not in choices:
            if key in self.table and isinstance(self.table[key], str):
                self.problem(
                    key,
                    "not_one_of",
                    value=toml_repr(value),
                    choices=", ".join(toml_repr(c) for c in choices),
                )
            return default
        return value

    def integer(
        self,
        key: str,
        default: int | _Missing,
        *,
        low: int,
        high: int | None = None,
        example: int,
        range_code: str = "int_range",
    ) -> int:
        """A whole number from `low` to `high` (no upper bound if None)."""
        fallback = default if isinstance(default, int) else example
        value = self._get(key, default, str(example))
        if value is REQUIRED:
            return fallback
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(key, value, "int", str(example))
            return fallback
        if value < low or (high is not None and value > high):
            self.problem(key, range_code, value=value, low=low, high=high)
            return fallback
        return value

    def number(self, key: str, default: float, *, example: float) -> float:
        """A number above zero (whole or decimal)."""
        value = self._get(key, default, str(example))
        if value is REQUIRED:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(key, value, "number", str(example))
            return default
        if value <= 0:
            self.problem(key, "not_positive", value=toml_repr(value), example=example)
            return default
        return float(value)

    def decimal(self, key: str) -> Decimal | None:
        """An optional number, kept exact as a Decimal."""
        value = self._get(key, None, "0")
        if value is REQUIRED:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(key, value, "number", "0")
            return None
        return Decimal(str(value))

    def boolean(self, key: str, default: bool | _Missing) -> bool:
        """true or false."""
        fallback = default if isinstance(default, bool) else False
        value = self._get(key, default, "true")
        if value is REQUIRED:
            return fallback
        if not isinstance(value, bool):
            self.wrong_type(key, value, "bool", "true")
            return fallback
        return value

    def clock(self, key: str, default: time) -> time:
        """A time of day written "HH:MM"."""
        value = self._get(key, default, _clock_text(default))
        if value is REQUIRED:
            return default
        parsed = parse_clock(value)
        if parsed is None:
            if isinstance(value, str):
                self.problem(key, "bad_time", value=toml_repr(value), example=_clock_text(default))
            else:
                self.wrong_type(key, value, "time", _clock_text(default))
            return default
        return parsed

    def texts(
        self, key: str, default: tuple[str, ...] | _Missing, *, example: str
    ) -> tuple[str, ...]:
        """A list of strings."""
        value = self._get(key, default, example)
        if value is REQUIRED:
            return default if isinstance(default, tuple) else ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong_items(key, value, lambda v: isinstance(v, str), "str_list", example)
            return default if isinstance(default, tuple) else ()
        return tuple(v.strip() for v in value)

    def integers(self, key: str, default: tuple[int, ...], *, example: str) -> tuple[int, ...]:
        """A list of whole numbers."""
        value = self._get(key, default, example)
        if value is REQUIRED:
            return default

        def whole(v: Any) -> bool:
            return isinstance(v, int) and not isinstance(v, bool)

        if not isinstance(value, list) or not all(whole(v) for v in value):
            self.wrong_items(key, value, whole, "int_list", example)
            return default
        return tuple(value)

    def path(self, key: str, default: str, base: Path) -> Path:
        """A file or folder path; relative ones are taken from `base` (the config's folder)."""
        value = self.text(key, default, example=default, empty=False) or default
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path

    def table_reader(self, key: str) -> TableReader:
        """The sub-table `key` (empty if absent or not a table)."""
        value = self._get(key, {}, "{ }")
        if value is REQUIRED:
            value = {}
        if not isinstance(value, dict):
            self.wrong_type(key, value, "table", f"[{self.key_path(key)}]")
            value = {}
        return TableReader(
            value,
            file=self.file,
            problems=self.problems,
            prefix=self.key_path(key),
            positions=self.positions,
            table_path=(*self.table_path, key),
        )

    def tables(
        self,
        key: str,
        default: list[dict[str, Any]],
        *,
        example: str,
    ) -> list[TableReader]:
        """An array of tables, e.g. `reminders = [{ days_before = 3, at = "08:00" }]`."""
        value = self._get(key, default, example)
        if value is REQUIRED:
            value = default
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.wrong_type(key, value, "table_list", example)
            value = default
        return [
            TableReader(
                item,
                file=self.file,
                problems=self.problems,
                prefix=f"{self.key_path(key)}[{index + 1}]",
                positions=self.positions,
                table_path=(*self.table_path, key, index),
            )
            for index, item in enumerate(value)
        ]

    def finish(self) -> None:
        """Report every key of the table that no getter asked for, with a likely intended one."""
        for key in self.table:
            if key in self._known:
                continue
            close = difflib.get_close_matches(key, self._known, n=1, cutoff=0.6)
            self.problem(key, "unknown_key", target=key, suggestion=close[0] if close else "")
