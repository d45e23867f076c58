"""Every chat text as a person on Zalo (or the console) reads it: no button to press («bấm»),
no link to open, where there are neither; and a message's numbered lines never share a
number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jinja2 import ChainableUndefined, Environment

from templates import catalog as texts
from tests.support.zalo_bot import numbers_shared

CHAT_CATALOGS = ("chat", "chat_tickets")
# Telegram-only words: a tap, a button to press, a link to open.
TELEGRAM_WORDS = re.compile(r"\bbấm\b|\bnhấn\b|\blink\b|t\.me/", re.IGNORECASE)
# Texts that only ever reach Telegram: its command menu (Zalo has none).
TELEGRAM_ONLY = re.compile(r"^menu_")


class _Nothing(ChainableUndefined):
    """A value the test does not give: false, empty, any attribute, any sum, no order."""

    def _self(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def _false(self, other: Any) -> bool:
        return False

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _self
    __lt__ = __le__ = __gt__ = __ge__ = _false


class _Anything(_Nothing):
    """A value the test does not give: true, one item long, any attribute, any sum."""

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter([self])

    def __len__(self) -> int:
        return 1

    def __str__(self) -> str:
        return "x"

    def _true(self, other: Any) -> bool:
        return True

    __lt__ = __le__ = __gt__ = __ge__ = _true


def _renderings(catalog: str, key: str, channel: str) -> list[str]:
    """The text rendered with every value missing, then with every value present."""
    out = []
    for undefined in (_Nothing, _Anything):
        env = Environment(undefined=undefined, autoescape=True)
        for name in ("number", "percent", "vn_date", "vn_datetime"):
            env.filters[name] = lambda value, *args, **kwargs: "1"
        template = env.from_string(texts._catalog(catalog)[key])
        out.append(template.render(channel=channel))
    return out


def _keys() -> list[tuple[str, str]]:
    return [
        (catalog, key)
        for catalog in CHAT_CATALOGS
        for key in texts._catalog(catalog)
        if not TELEGRAM_ONLY.match(key)
    ]


@pytest.mark.parametrize("channel", ["zalo", "console"])
def test_no_chat_text_names_a_button_or_a_link_on_a_channel_without_them(channel: str) -> None:
    found = [
        f"{catalog}.{key}: {match.group(0)!r}"
        for catalog, key in _keys()
        for rendered in _renderings(catalog, key, channel)
        for match in TELEGRAM_WORDS.finditer(rendered)
    ]
    assert found == []


def test_the_check_sees_a_telegram_wording() -> None:
    # The same texts on Telegram do speak of buttons and links: the check can fail.
    on_telegram = [
        rendered
        for catalog, key in _keys()
        for rendered in _renderings(catalog, key, "telegram")
        if TELEGRAM_WORDS.search(rendered)
    ]
    assert len(on_telegram) >= 5


@pytest.mark.parametrize("catalog", CHAT_CATALOGS)
def test_no_chat_text_numbers_two_lines_alike(catalog: str) -> None:
    shared = {
        key: numbers_shared(rendered)
        for key in texts._catalog(catalog)
        for rendered in _renderings(catalog, key, "zalo")
        if numbers_shared(rendered)
    }
    assert shared == {}
