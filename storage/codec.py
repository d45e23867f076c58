"""Conversions between Python values and the portable column encodings of the schema.

Timestamps are ISO-8601 UTC text of fixed width, so comparing the text compares the time
(the queries rely on that); dates are 'YYYY-MM-DD'; JSON documents are compact UTF-8 text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from domain.periods import Period, parse_period

JsonObject = dict[str, Any]

_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def timestamp(value: datetime) -> str:
    """Encode an aware datetime as fixed-width ISO-8601 UTC text."""
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time is ambiguous (server local time? Vietnam time?); refuse it loudly.
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
    return value.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)


def optional_timestamp(value: datetime | None) -> str | None:
    """Encode a timestamp, keeping None."""
    return None if value is None else timestamp(value)


def parse_timestamp(text: str) -> datetime:
    """Decode a stored timestamp into an aware UTC datetime."""
    return datetime.fromisoformat(text)


def optional_parse_timestamp(text: str | None) -> datetime | None:
    """Decode a stored timestamp, keeping NULL as None."""
    return None if text is None else datetime.fromisoformat(text)


def optional_date(value: date | None) -> str | None:
    """Encode a date as 'YYYY-MM-DD', keeping None."""
    return None if value is None else value.isoformat()


def optional_parse_date(text: str | None) -> date | None:
    """Decode a stored date, keeping NULL as None."""
    return None if text is None else date.fromisoformat(text)


def period_key(period: Period | str) -> str:
    """The canonical key 'YYYY-MM' of a period given as a Period or as text users write."""
    if isinstance(period, Period):
        return period.key
    return parse_period(period).key


def period_from_key(key: str) -> Period:
    """Decode a stored 'YYYY-MM' key."""
    return Period(int(key[:4]), int(key[5:7]))


def dump_json(value: JsonObject) -> str:
    """Encode a JSON object compactly, keeping Vietnamese text readable in the file."""
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object (dict), got {type(value).__name__}")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_json(text: str) -> JsonObject:
    """Decode a stored JSON object."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("stored JSON is not an object")
    return value


def dump_list(values: Sequence[str]) -> str:
    """Encode a list of strings as a JSON array."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def load_list(text: str) -> tuple[str, ...]:
    """Decode a stored JSON array of strings."""
    return tuple(str(v) for v in json.loads(text))
