"""Words typed for the buttons: on channels without buttons (Zalo, plain text) and for
typing habits. Each button's own label (without its symbol) and the short words the texts
tell people to type, all from the catalog."""

from __future__ import annotations

import re
from functools import cache

from handlers.buttons import parse
from handlers.conversation import Awaiting, ConversationState
from handlers.unit_buttons import (
    Explain,
    Fix,
    Move,
    Navigate,
    ObligationButton,
    Summary,
    SummaryAction,
)
from templates.catalog import text


@cache
def typed_buttons() -> dict[str, ObligationButton]:
    """Words that work like the buttons, for channels without buttons and for typing
    habits: each button's own label (without its symbol) and the short words the texts
    tell people to type, all from the catalog."""
    return {
        _word("chat.button_back"): Navigate(Move.BACK),
        _word("chat.button_skip"): Navigate(Move.SKIP),
        _word("chat.button_pause"): Navigate(Move.PAUSE),
        _word("chat.button_keep"): Navigate(Move.KEEP),
        _word("chat.button_submit"): Summary(SummaryAction.SEND),
        _word("chat.word_send"): Summary(SummaryAction.SEND),
        _word("chat.word_edit"): Summary(SummaryAction.EDIT),
    }


@cache
def flagged_words() -> dict[str, ObligationButton]:
    """While a value is flagged, keep and fix act on that value (resolved in router._button)."""
    return {_word("chat.button_keep"): Navigate(Move.KEEP), _word("chat.word_edit"): Fix("")}


def _word(key: str) -> str:
    """A catalog label as typed, case folded."""
    return typed_word(str(text(key))).casefold()


def typed_word(label: str) -> str:
    """A button label as the word to type: without the emoji and arrows around it."""
    return _LABEL_EDGES.sub("", label)


_LABEL_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def explain_word() -> str:
    """The word typed to explain a flagged figure, where there is no button to press."""
    return text("chat.word_explain")


def typed_button(typed: str, state: ConversationState) -> ObligationButton | None:
    """The button a typed word stands for (None if none): fixed words, or the explain word
    for the flagged figure whose explain choice was shown last."""
    word = typed.strip().casefold()
    if state.awaiting is Awaiting.FLAGGED and word in flagged_words():
        return flagged_words()[word]
    if word in typed_buttons():
        return typed_buttons()[word]
    if word == explain_word().casefold():
        shown = (parse(data) for data in state.choices)
        return next((button for button in shown if isinstance(button, Explain)), None)
    return None
