"""What every kind of button shares: packing into data within Telegram's limit, and the
readers of the values the kinds hold. The kinds are in handlers/unit_buttons.py and
handlers/office_buttons.py; handlers/buttons.py is the door (`parse`, `Button`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import ClassVar, TypeVar

from domain.periods import Period, parse_period
from domain.ticket_answers import TOKEN_LENGTH

# Telegram's limit on callback data, in bytes of UTF-8.
MAX_DATA_BYTES = 64
# Periods an office may name, in a button or a command: far wider than any real use, narrow
# enough that the period before and after exist (01/0001 made /mo fail on "year 0").
PERIOD_YEARS = range(2000, 2101)

_E = TypeVar("_E", bound=StrEnum)
_TOKEN = re.compile(f"[0-9a-f]{{{TOKEN_LENGTH}}}")
# The readers of the kinds with values by prefix, and the kinds without by their data (the
# prefix alone), as each kind's module declares them.
_READERS: dict[str, Callable[[str], Kind | None]] = {}
_BARE: dict[str, Kind] = {}
# Pages and row ids: positive, and below SQLite's largest integer whatever the digits.
_NUMBER = re.compile(r"[1-9][0-9]{0,17}")


@dataclass(frozen=True, slots=True)
class Kind:
    """What every kind shares: a prefix of its own, its values as text, packing."""

    PREFIX: ClassVar[str]

    def values(self) -> tuple[str, ...]:
        """The values after the prefix: the fields in their order (a period by its key)."""
        return tuple(_wire(getattr(self, f.name)) for f in fields(self))

    def pack(self) -> str:
        """The button's data; ValueError if over Telegram's limit or not read back the same."""
        data = ":".join((self.PREFIX, *self.values()))
        if len(data.encode("utf-8")) > MAX_DATA_BYTES:
            raise ValueError(f"button data over {MAX_DATA_BYTES} bytes: {data!r}")
        if read_known(data) != self:
            raise ValueError(f"button data does not read back: {data!r}")
        return data


def known(
    readers: Mapping[str, Callable[[str], Kind | None]], bare: Mapping[str, Kind] | None = None
) -> None:
    """Declare a module's kinds: their readers by prefix, and the kinds without values."""
    _READERS.update(readers)
    _BARE.update(bare or {})


def read_known(data: str) -> Kind | None:
    """The button `data` packs among the kinds declared so far (handlers/buttons.py's `parse`
    has them all); None for data the bot could not have sent."""
    prefix, colon, rest = data.partition(":")
    if not colon:
        return _BARE.get(data)
    reader = _READERS.get(prefix)
    return reader(rest) if reader is not None else None


def _wire(value: object) -> str:
    return value.key if isinstance(value, Period) else str(value)


def read_number(text: str) -> int | None:
    """A page or row id: positive, plain ASCII digits, within SQLite's integers."""
    return int(text) if _NUMBER.fullmatch(text) else None


def read_period(key: str) -> Period | None:
    """A period by its key, within the years an office may name."""
    try:
        period = parse_period(key)
    except ValueError:
        return None
    return period if period.year in PERIOD_YEARS else None


def read_code(text: str) -> str | None:
    """A unit's code: any text but none."""
    return text or None


def read_token(text: str) -> str | None:
    """A ticket's token: exactly as the bot makes them."""
    return text if _TOKEN.fullmatch(text) else None


def read_member(kind: type[_E], text: str) -> _E | None:
    """The member of `kind` whose value is `text`."""
    return next((member for member in kind if member.value == text), None)
