"""Problems found in the office's files (config.toml, units.csv, forms/, report.toml), and
reading those files so that every mistake is collected instead of stopping at the first.

A problem names the file, the key or line, and a catalog code: the sentences live in
templates/texts/cli.toml.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from templates.catalog import text


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a file: where it is, and a catalog code plus values to explain it."""

    file: str
    code: str
    key: str = ""
    line: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    column: int | None = None  # only where the line alone is not enough

    def message(self) -> str:
        """What is wrong and what would be right, in Vietnamese."""
        return text(f"cli.problem.{self.code}", **self.values)

    def __str__(self) -> str:
        return text(
            "cli.problem_line",
            file=self.file,
            line=self.line,
            column=self.column,
            key=self.key,
            message=self.message(),
        )


class ConfigError(Exception):
    """The configuration or the data files have problems; `problems` lists them all."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path, base: Path) -> str:
    """A path as shown in problems: relative to `base` when inside it, else as is."""
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)\s*$")
_TOML_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def read_text(
    path: Path, shown: str, problems: list[Problem], *, missing: str = "file_missing"
) -> str | None:
    """A UTF-8 text file (BOM tolerated); None, with a problem, if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(shown, missing))
    except UnicodeDecodeError:
        problems.append(Problem(shown, "not_utf8"))
    except OSError as error:
        problems.append(Problem(shown, "file_unreadable", values={"detail": error.strerror}))
    return None


def parse_toml(source: str, shown: str, problems: list[Problem]) -> dict[str, Any] | None:
    """Parse TOML text; None, with a problem naming the line when known, if it is invalid."""
    try:
        return tomllib.loads(source)
    except ValueError as error:  # TOMLDecodeError, or an integer past Python's digit limit
        # tomllib (3.11) only tells the position inside its message.
        detail = str(error)
        line: int | None = None
        if match := _TOML_POSITION.search(detail):
            line = int(match[1])
            detail = detail[: match.start()]
        elif match := _TOML_AT_END.search(detail):
            line = source.count("\n") + (0 if source.endswith("\n") else 1)
            detail = detail[: match.start()]
        problems.append(Problem(shown, "toml_syntax", line=line, values={"detail": detail}))
        return None
