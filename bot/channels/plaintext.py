"""Replies drawn as plain text, for channels without buttons or HTML (Zalo, the console).

Choices become numbered lines that a typed number picks (see ``handlers.router``), or, while
a number is the answer to a question (or, on the summary, a question's number), the words to
type for them: one number never means two things in one message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from bot.channels.base import payload_choices, payload_document
from handlers.buttons import parse
from handlers.events import Choice, Document
from handlers.typed_words import explain_word, flagged_words, typed_buttons, typed_word
from handlers.unit_buttons import Explain, Fix, Pick
from templates.catalog import text as catalog_text

_TAG = re.compile(r"<[^>]*>")
# Emoji, arrows and punctuation around a label ("◀ Quay lại", "✅ Gửi báo cáo").


def plain(markup: str) -> str:
    """Telegram's HTML subset (<b>, <i>, &amp; &lt; &gt;) as plain text."""
    return html.unescape(_TAG.sub("", markup))


def draw(payload: dict[str, Any], document_text: Callable[[Document], str]) -> str:
    """An outbox payload as one plain text: the message (or what `document_text` says of
    its document: these channels send no files), then its choices."""
    document = payload_document(payload)
    parts: list[str] = []
    if document is not None:
        parts.append(document_text(document))
    elif payload.get("text"):
        parts.append(plain(payload["text"]))
    lines = choice_lines(payload)
    if lines:
        parts.append("\n".join(lines))
    return "\n\n".join(part for part in parts if part)


def choice_lines(payload: dict[str, Any]) -> list[str]:
    """The choices of an outbox payload as lines: numbered, or as words to type."""
    choices = [choice for row in payload_choices(payload) for choice in row]
    if not choices:
        return []
    return _numbered(choices) if payload.get("numbered", True) else _navigation_words(choices)


def _numbered(choices: list[Choice]) -> list[str]:
    return [f"{n}. {plain(choice.label)}" for n, choice in enumerate(choices, 1)]


def _navigation_words(choices: list[Choice]) -> list[str]:
    """While a number is the answer: a choice of the value by its own number, the rest as words.

    Only words the router takes for the same action are shown (the explain choice under a
    question by the explain word); a choice that cannot be typed is left out rather than
    shown as a dead word.
    """
    lines = []
    words = []
    for choice in choices:
        button = parse(choice.data)
        if isinstance(button, Pick):
            lines.append(f"{button.number}. {plain(choice.label)}")
            continue
        word = typed_word(plain(choice.label))
        head = word.split(":")[0].strip()
        if button is not None and typed_buttons().get(word.casefold()) == button:
            words.append(f"«{word}»")
        elif isinstance(button, Explain | Fix) and head.casefold() in flagged_words():
            words.append(f"«{head}»")  # keep or fix a flagged value: typed as the bare word
        elif isinstance(button, Explain):
            words.append(f"«{explain_word()}»")
    if words:
        lines.append(plain(catalog_text("chat.zalo_type_words", words=" · ".join(words))))
    return lines
