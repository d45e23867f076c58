"""Problems of the office's TOML files carry file:line (and column): check that the line
points at the key (or its table's header) in the file, then drop it so a test can compare the
rest of the sentence exactly, whatever line a key has in an example that keeps changing."""

from __future__ import annotations

import re
from pathlib import Path

_LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<key>[^:]+): ")


def _last_key(key: str) -> str:
    """The last name of a dotted key, without an array index: regime.reminders[2].at -> at."""
    return re.sub(r"\[\d+\]", "", key.rsplit(".", 1)[-1])


def checked_lines(path: Path, problems: list[str]) -> list[str]:
    """The problems with their positions checked against `path` and taken out."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    shown = []
    for problem in problems:
        match = _LOCATED.match(problem)
        assert match, f"no line in: {problem}"
        at = lines[int(match["line"]) - 1]
        if match["column"]:
            at = at[int(match["column"]) - 1 :]
        key = _last_key(match["key"])
        assert key in at or at.lstrip().startswith("["), (
            f"line {match['line']} is «{at}»: {problem}"
        )
        shown.append(f"{match['file']}: {problem[match.end('key') - len(match['key']) :]}")
    return shown
