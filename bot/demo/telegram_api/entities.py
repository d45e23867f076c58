"""Telegram's text entities: UTF-16 lengths, Telegram's trimming, and its HTML parse mode.

Modelled on tdlib's parsers, which the Bot API uses: the fake answers "can't parse entities"
where Telegram would, and records the plain text and entities the user would see.
"""

from __future__ import annotations

import re
from typing import Any

from bot.demo.telegram_api.protocol import JSON


class EntityParseError(ValueError):
    """The text is not valid for its parse_mode (Telegram: "can't parse entities")."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets and text limits."""
    return len(text.encode("utf-16-le")) // 2


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of ``text[index]``, as Telegram's error messages give it."""
    return len(text[:index].encode("utf-8"))


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z]{1,10});")
_TAG_NAME_RE = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode the HTML entity starting at ``text[index] == '&'`` -> (char, length)."""
    match = _HTML_ENTITY_RE.match(text, index)
    if not match:
        return None
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code), match.end() - index
    char = _HTML_ENTITIES.get(name)
    return (char, match.end() - index) if char else None


class TextBuilder:
    """Accumulates parsed text and entities (offsets in UTF-16 code units)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[JSON] = []

    def add(self, chunk: str) -> None:
        """Append text."""
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        """Record an entity from ``start`` to here (none if empty)."""
        if self.pos > start:
            self.entities.append(
                {"type": kind, "offset": start, "length": self.pos - start, **extra}
            )

    def finish(self) -> tuple[str, list[JSON]]:
        """The trimmed text and its entities."""
        return trim("".join(self.parts), self.entities)


def trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped = text.strip()
    if stripped == text:
        kept = entities
    else:
        lead = utf16_len(text[: len(text) - len(text.lstrip())])
        end = lead + utf16_len(stripped)
        kept = []
        for entity in entities:
            start = max(entity["offset"], lead)
            stop = min(entity["offset"] + entity["length"], end)
            if stop > start:
                kept.append({**entity, "offset": start - lead, "length": stop - start})
    kept = sorted(kept, key=lambda e: (e["offset"], -e["length"]))
    return stripped, kept


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram-HTML into (plain text, entities); raise EntityParseError if invalid.

    Accepted tags are Telegram's: b/strong, i/em, u/ins, s/strike/del, tg-spoiler,
    span class="tg-spoiler", a href, code, pre (optionally with <code class="language-x">) and
    blockquote [expandable]. Entities &lt; &gt; &amp; &quot; and numeric ones are decoded.
    With ``strict`` (the default) a bare ``&`` or ``>`` is an error too (Telegram tolerates
    them, but they betray text that was not escaped); ``<`` is always an error, as on Telegram.
    """
    out = TextBuilder()
    stack: list[tuple[str, int, JSON]] = []  # (tag, start offset, entity extras)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded:
                out.add(decoded[0])
                i += decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f"Character '&' at byte offset {byte_offset(text, i)} must be escaped as &amp;"
                )
        elif char == ">" and strict:
            raise EntityParseError(
                f"Character '>' at byte offset {byte_offset(text, i)} must be escaped as &gt;"
            )
        if char != "<":
            out.add(char)
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            close = text.find(">", i)
            if close == -1:
                raise EntityParseError(
                    f"Can't find end tag corresponding to start tag at byte offset "
                    f"{byte_offset(text, begin)}"
                )
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(text, i)}")
            tag, start, opened = stack.pop()
            if name != tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(text, begin)}, "
                    f'expected "</{tag}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, tag, start, opened)
            i = close + 1
            continue
        match = _TAG_NAME_RE.match(text, i + 1)
        assert match is not None
        name = match.group(0).lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(text, begin)}'
            )
        attrs, i = _parse_html_attributes(text, match.end(), name, begin)
        extra: JSON = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        if name == "a":
            extra["url"] = attrs.get("href", "")
        if name == "code" and stack and stack[-1][0] == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                extra["language"] = language[len("language-") :]
        if name == "blockquote" and "expandable" in attrs:
            extra["expandable"] = True
        stack.append((name, out.pos, extra))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.finish()


def _parse_html_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse attributes up to the closing '>' of a start tag -> (attrs, index after '>')."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        if text[i] == ">":
            return attrs, i + 1
        match = _ATTR_NAME_RE.match(text, i)
        if not match:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(text, i)}'
            )
        attr = match.group(0).lower()
        i = match.end()
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end == -1:
                    raise EntityParseError(
                        f'Unclosed end of an attribute value of the tag "{tag}" at byte '
                        f"offset {byte_offset(text, i)}"
                    )
                raw, i = text[i + 1 : end], end + 1
            else:
                start = i
                while i < n and not text[i].isspace() and text[i] != ">":
                    i += 1
                raw = text[start:i]
            attrs[attr] = _unescape_html(raw)
        else:
            attrs[attr] = ""


def _unescape_html(raw: str) -> str:
    parts, i = [], 0
    while i < len(raw):
        decoded = _decode_html_entity(raw, i) if raw[i] == "&" else None
        if decoded:
            parts.append(decoded[0])
            i += decoded[1]
        else:
            parts.append(raw[i])
            i += 1
    return "".join(parts)


def _close_html_tag(
    out: TextBuilder, stack: list[tuple[str, int, JSON]], tag: str, start: int, extra: JSON
) -> None:
    kind = _HTML_TAGS[tag]
    if tag == "code" and stack and stack[-1][0] == "pre":
        if "language" in extra:
            stack[-1][2]["language"] = extra["language"]
        return  # <pre><code>...</code></pre> is a single pre entity
    if kind == "text_link":
        url = extra.get("url", "")
        match = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if match:
            out.entity("text_mention", start, user={"id": int(match.group(1))})
        elif url:
            out.entity("text_link", start, url=url)
        return
    if kind == "blockquote" and extra.get("expandable"):
        out.entity("expandable_blockquote", start)
        return
    out.entity(kind, start, **extra)
