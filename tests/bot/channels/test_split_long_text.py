"""Long replies are cut into messages that each fit and each are valid Telegram HTML, with
nothing lost: random mixes of tags, entities, line lengths, against the fake Bot API's
strict HTML parser (hypothesis)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.base import MESSAGE_LIMIT, split_long_text
from bot.demo.telegram_api import parse_html, utf16_len

TAGS = ["b", "i", "u", "s", "code", "pre", "tg-spoiler", "blockquote"]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x1F600;"]

words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
run = st.one_of(
    words.map(lambda t: html.escape(t, quote=False)),
    st.sampled_from(ENTITIES),
    st.sampled_from(["\n", "\n\n", " ", "ệ" * 700, "x" * 2500, "😀" * 300, "&amp;" * 400]),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tagged = st.builds(
        lambda tag, inner: f"<{tag}>{inner}</{tag}>", st.sampled_from(TAGS), children
    )
    link = children.map(lambda inner: f'<a href="https://x.example/?a=1&amp;b=2">{inner}</a>')
    return st.one_of(tagged, link)


markup = st.recursive(run, lambda inner: _element(st.lists(inner, max_size=6).map("".join)))
document = st.lists(markup, min_size=1, max_size=30).map("".join)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _check(text: str, limit: int) -> list[str]:
    plain, _ = parse_html(text)  # the input is valid to begin with
    parts = split_long_text(text, limit)
    for part in parts:
        shown, _ = parse_html(part)  # strict: raises on a cut tag or entity
        assert utf16_len(shown) <= limit, utf16_len(shown)  # what Telegram counts
        assert shown.strip() or len(parts) == 1, part  # no empty message
    assert _squeezed("".join(parse_html(p)[0] for p in parts)) == _squeezed(plain)
    return parts


@pytest.mark.slow  # a few seconds of examples: left out of the quick run
@settings(max_examples=300, deadline=None)
@given(document, st.sampled_from([600, 1000, MESSAGE_LIMIT]))
def test_every_part_fits_and_is_valid_html_and_nothing_is_lost(text: str, limit: int) -> None:
    _check(text, limit)


def test_a_line_of_entities_is_never_cut_inside_one() -> None:
    text = "6: " + "&amp;" * 3000
    parts = _check(text, MESSAGE_LIMIT)
    assert len(parts) > 1 and all(p.endswith("&amp;") for p in parts)


def test_a_bold_run_across_a_cut_is_closed_and_reopened() -> None:
    text = "<b>" + "chữ " * 2000 + "</b>"
    parts = _check(text, MESSAGE_LIMIT)
    assert len(parts) > 1
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_short_text_is_one_part_as_it_is() -> None:
    assert split_long_text("<b>a</b> &amp; b\n") == ["<b>a</b> &amp; b\n"]
