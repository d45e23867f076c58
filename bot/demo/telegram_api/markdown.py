"""Telegram's MarkdownV2 and legacy Markdown parse modes, into plain text and entities."""

from __future__ import annotations

import re

from bot.demo.telegram_api.entities import EntityParseError, TextBuilder, byte_offset
from bot.demo.telegram_api.protocol import JSON

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}
_MDV2_TOKENS = [
    ("||", "spoiler"),
    ("__", "underline"),
    ("```", "pre"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
]


def parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Parse MarkdownV2 into (plain text, entities); raise EntityParseError if invalid.

    Enforces Telegram's main rule: the characters ``_*[]()~`>#+-=|{}.!`` must be escaped with
    a preceding backslash unless they are entity delimiters, and every entity must be closed.
    """
    out = TextBuilder()
    stack: list[tuple[str, str, int, int, JSON]] = []  # (kind, token, start, byte offset, extra)
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        at_line_start = i == 0 or text[i - 1] == "\n"
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if at_line_start and not in_code:
            if char == ">":
                if quote_start is None:
                    quote_start = out.pos
                i += 1
                continue
            if quote_start is not None:
                out.entities.append(
                    {
                        "type": "blockquote",
                        "offset": quote_start,
                        "length": out.pos - 1 - quote_start,
                    }
                )
                quote_start = None
        if in_code:
            kind, token = stack[-1][0], stack[-1][1]
            if char == "\\" and i + 1 < n and text[i + 1] in "`\\":
                out.add(text[i + 1])
                i += 2
            elif text.startswith(token, i):
                _, _, start, _, code_extra = stack.pop()
                out.entity(kind, start, **code_extra)
                i += len(token)
            else:
                out.add(char)
                i += 1
            continue
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if char not in _MDV2_RESERVED:
            out.add(char)
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "text_link":
            _, _, start, _, _ = stack.pop()
            i = _close_markdown_link(text, i, out, start)
            continue
        if char == "[":
            stack.append(("text_link", "]", out.pos, byte_offset(text, i), {}))
            i += 1
            continue
        found = next(((t, k) for t, k in _MDV2_TOKENS if text.startswith(t, i)), None)
        if found is None:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        token, kind = found
        if stack and stack[-1][1] == token:
            _, _, start, _, closed_extra = stack.pop()
            out.entity(kind, start, **closed_extra)
            i += len(token)
            continue
        begin = i
        i += len(token)
        extra: JSON = {}
        if kind == "pre":
            newline = text.find("\n", i)
            if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+#.-]*", text[i:newline]):
                if newline > i:
                    extra["language"] = text[i:newline]
                i = newline + 1
        stack.append((kind, token, out.pos, byte_offset(text, begin), extra))
    if stack:
        kind, _, _, offset, _ = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_MD_NAMES[kind]} entity at byte offset {offset}"
        )
    if quote_start is not None:
        out.entity("blockquote", quote_start)
    return out.finish()


def _close_markdown_link(text: str, i: int, out: TextBuilder, start: int) -> int:
    """Handle ``](url)`` after a link text; return the index after it."""
    i += 1
    if i >= len(text) or text[i] != "(":
        return i  # "[text]" without a URL is plain text
    url_chars, i = [], i + 1
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        url_chars.append(text[i])
        i += 1
    if i >= len(text):
        raise EntityParseError("Can't find end of a URL")
    out.entity("text_link", start, url="".join(url_chars))
    return i + 1


def parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, ```code```, ``[text](url)``)."""
    out = TextBuilder()
    i, n = 0, len(text)
    delimiters = {"*": "bold", "_": "italic"}
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "*_`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "*_`[":
            out.add(char)
            i += 1
            continue
        begin = byte_offset(text, i)
        error = EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if char == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close != -1 else -1
            if close == -1 or end == -1:
                raise error
            start = out.pos
            out.add(text[i + 1 : close])
            out.entity("text_link", start, url=text[close + 2 : end])
            i = end + 1
            continue
        token = "```" if text.startswith("```", i) else char
        end = text.find(token, i + len(token))
        if end == -1:
            raise error
        start = out.pos
        body = text[i + len(token) : end]
        if token == "```":
            first, sep, rest = body.partition("\n")
            language = first if sep and re.fullmatch(r"[A-Za-z0-9_+#.-]+", first) else None
            out.add(rest if language else body)
            out.entity("pre", start, **({"language": language} if language else {}))
        else:
            out.add(body)
            out.entity(delimiters.get(char, "code"), start)
        i = end + len(token)
    return out.finish()
