"""Where each key and table of a TOML text is: line and column, for problems to point at.

tomllib (and tomlkit) give values, not positions. This walks the text's tokens the way TOML
reads them (strings of all four kinds, comments, inline tables, arrays, [tables] and
[[arrays of tables]]), so that a `\"\"\"` inside a comment, a `key =` inside a multi-line
string or a CRLF cannot mislead it. It runs on text tomllib has accepted, so it never
reports syntax errors itself; on anything unexpected it stops and keeps what it found.

A position's path is the one tomllib's result has: keys, and an index for each element of
an array (of tables, or inline): ("fields", 2, "min_value"), ("regime", "reminders", 0, "at").
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass

TomlPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SPACE = " \t"


@dataclass(frozen=True, slots=True)
class Position:
    """Line and column (1-based) of a key or a table header, and whether it opens its line
    (the column only helps when something else stands before it, e.g. in an inline table)."""

    line: int
    column: int
    first_on_line: bool = True


class _Stop(Exception):
    """The text is not what the walker expects: keep the positions found so far."""


def toml_positions(source: str) -> Mapping[TomlPath, Position]:
    """The position of every key, array element and table header of a valid TOML text."""
    walker = _Walker(source)
    with contextlib.suppress(_Stop, IndexError):
        walker.document()
    return walker.found


class _Walker:
    def __init__(self, source: str) -> None:
        self.src = source[1:] if source.startswith("\ufeff") else source
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.found: dict[TomlPath, Position] = {}
        self.arrays: dict[TomlPath, int] = {}  # [[array]] path -> tables seen so far

    # ---------------------------------------------------------------- characters

    def peek(self, ahead: int = 0) -> str:
        at = self.i + ahead
        return self.src[at] if at < len(self.src) else ""

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.src[self.i] == "\n":
                self.line += 1
                self.line_start = self.i + 1
            self.i += 1

    def here(self) -> Position:
        before = self.src[self.line_start : self.i]
        return Position(self.line, self.i - self.line_start + 1, not before.strip(_SPACE))

    def skip_space(self, newlines: bool = False) -> None:
        """Spaces (and, inside arrays, newlines and comments)."""
        while self.i < len(self.src):
            c = self.peek()
            if c in _SPACE or (newlines and c in "\r\n"):
                self.advance()
            elif newlines and c == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        while self.i < len(self.src) and self.peek() != "\n":
            self.advance()

    # ---------------------------------------------------------------- document

    def document(self) -> None:
        current: TomlPath = ()
        while self.i < len(self.src):
            self.skip_space()
            c = self.peek()
            if c in "\r\n":
                self.advance()
            elif c == "#":
                self.skip_comment()
            elif c == "[":
                current = self.header()
            else:
                self.key_value(current)

    def header(self) -> TomlPath:
        at = self.here()
        double = self.peek(1) == "["
        self.advance(2 if double else 1)
        keys = self.keys()
        self.advance(2 if double else 1)
        # Tables a dotted header makes implicitly ([tool.ruff] makes tool) start here too.
        for end in range(1, len(keys)):
            self.found.setdefault(self.resolve(keys[:end]), at)
        if not double:
            path = self.resolve(keys)
        else:
            base = (*self.resolve(keys[:-1]), keys[-1])
            index = self.arrays.get(base, 0)
            self.arrays[base] = index + 1
            self.found.setdefault(base, at)
            path = (*base, index)
        self.found.setdefault(path, at)
        return path

    def resolve(self, keys: list[str]) -> TomlPath:
        """A dotted name as a path: inside an array of tables, its last table."""
        path: TomlPath = ()
        for key in keys:
            path = (*path, key)
            if path in self.arrays:
                path = (*path, self.arrays[path] - 1)
        return path

    def key_value(self, table: TomlPath) -> None:
        at = self.here()
        keys = self.keys()
        path = table
        for key in keys:
            path = (*path, key)
            self.found.setdefault(path, at)
        self.skip_space()
        if self.peek() != "=":
            raise _Stop
        self.advance()
        self.skip_space()
        self.value(path)

    def keys(self) -> list[str]:
        """A dotted key: bare or quoted parts."""
        keys = []
        while True:
            self.skip_space()
            c = self.peek()
            if c in "\"'":
                start = self.i
                self.string()
                keys.append(_quoted(self.src[start : self.i]))
            else:
                start = self.i
                while self.peek() and self.peek() in _BARE:
                    self.advance()
                if self.i == start:
                    raise _Stop
                keys.append(self.src[start : self.i])
            self.skip_space()
            if self.peek() != ".":
                return keys
            self.advance()

    # ---------------------------------------------------------------- values

    def value(self, path: TomlPath) -> None:
        c = self.peek()
        if c in "\"'":
            self.string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:  # numbers, booleans, dates ("1979-05-27 07:32:00" has a space)
            while self.peek() and self.peek() not in ",]}#\r\n":
                self.advance()

    def array(self, path: TomlPath) -> None:
        self.advance()  # [
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "]":
                self.advance()
                return
            self.found.setdefault((*path, index), self.here())
            self.value((*path, index))
            index += 1
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.advance()
            elif self.peek() != "]":
                raise _Stop

    def inline_table(self, path: TomlPath) -> None:
        self.advance()  # {
        while True:
            self.skip_space()
            if self.peek() == "}":
                self.advance()
                return
            self.key_value(path)
            self.skip_space()
            if self.peek() == ",":
                self.advance()
            elif self.peek() != "}":
                raise _Stop

    def string(self) -> None:
        quote = self.peek()
        if self.src.startswith(quote * 3, self.i):
            self.advance(3)
            end = self.src.find(quote * 3, self.i) if quote == "'" else self.basic_end(3)
            if end < 0:
                raise _Stop
            # Up to two quotes may stand right before the closing three: """a"""" is 'a"'.
            for _ in range(2):
                if self.src.startswith(quote * 4, end):
                    end += 1
            self.advance(end + 3 - self.i)
            return
        self.advance()
        end = self.src.find("'", self.i) if quote == "'" else self.basic_end(1)
        if end < 0:
            raise _Stop
        self.advance(end + 1 - self.i)

    def basic_end(self, width: int) -> int:
        """Where the closing quote(s) of a basic string start, escapes skipped."""
        at = self.i
        closing = '"' * width
        while at < len(self.src):
            if self.src[at] == "\\":
                at += 2
            elif self.src.startswith(closing, at):
                return at
            else:
                at += 1
        return -1


def _quoted(raw: str) -> str:
    """The name a quoted key stands for, escapes and all, as tomllib reads it."""
    return str(tomllib.loads(f"k = {raw}")["k"])
