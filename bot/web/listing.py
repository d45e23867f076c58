"""Which of the overview's rows a page shows: filtered by state and group, sorted by name,
state or submission time, a page of PAGE_ROWS at a time; all in the query string, so every
view is a link (no script), and each link keeps the other choices."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from domain.periods import Period

STATES = ("not_started", "answering", "late", "submitted", "submitted_late")
SORTS = ("name", "state", "submitted")
# A province's 5,000 units on one page are 2.5 MB of HTML and most of the server's time;
# 500 rows are a long scroll already.
PAGE_ROWS = 500


class Row(Protocol):
    """What the listing reads of a row."""

    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def submitted(self) -> datetime | None: ...


R = TypeVar("R", bound=Row)


def asked_page(query: Mapping[str, str]) -> int:
    """The page number of ?page=, 1 if it is none (str.isdigit alone admits "²", which
    int() refuses)."""
    raw = query.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1


def _name_key(row: Row) -> tuple[str, str]:
    # Letters before their accents (a, á, ă…), as a Vietnamese reader looks them up; đ is
    # its own letter after d.
    bare = unicodedata.normalize("NFD", row.name.casefold()).replace("đ", "d\uffff")
    return "".join(c for c in bare if not unicodedata.combining(c)), bare


_KEYS: dict[str, Callable[[Row], Any]] = {
    "name": _name_key,
    "state": lambda row: STATES.index(row.state),
}


@dataclass(frozen=True, slots=True)
class Listing:
    """The overview's choices read from its query, and the counts its filters show."""

    period: Period
    state: str
    group: str
    sort: str  # one of SORTS, or "" for the configured order
    descending: bool
    page: int
    pages: int
    counts: Counter[str]  # per state, within the chosen group
    groups: tuple[tuple[str, int], ...]  # every group, with its units, in configured order

    @classmethod
    def of(cls, query: Mapping[str, str], period: Period, rows: Sequence[Row]) -> Listing:
        """The choices of `query` (unknown values fall back to everything, in order)."""
        groups = Counter(row.group for row in rows)
        group = query.get("group", "")
        group = group if group in groups else ""
        counts = Counter(row.state for row in rows if not group or row.group == group)
        state = query.get("state", "")
        state = state if state in STATES else ""
        sort = query.get("sort", "")
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        if sort not in SORTS:
            sort, descending = "", False
        matching = counts[state] if state else sum(counts.values())
        pages = max(1, -(-matching // PAGE_ROWS))
        number = min(max(asked_page(query), 1), pages)
        return cls(
            period, state, group, sort, descending, number, pages, counts, tuple(groups.items())
        )

    def pick(self, rows: Sequence[R]) -> list[R]:
        """The rows of this page, filtered and sorted."""
        chosen = [
            row
            for row in rows
            if (not self.state or row.state == self.state)
            and (not self.group or row.group == self.group)
        ]
        if self.sort == "submitted":
            # Not submitted last, whichever the direction.
            sent = sorted(
                (row for row in chosen if row.submitted is not None),
                key=lambda row: row.submitted or datetime.min,
                reverse=self.descending,
            )
            chosen = sent + [row for row in chosen if row.submitted is None]
        elif self.sort:
            chosen.sort(key=_KEYS[self.sort], reverse=self.descending)
        start = (self.page - 1) * PAGE_ROWS
        return chosen[start : start + PAGE_ROWS]

    def link(self, **changes: str | int) -> str:
        """This view's query string with `changes` (a filter changed goes back to page 1)."""
        values: dict[str, str | int] = {
            "period": self.period.key,
            "state": self.state,
            "group": self.group,
            "sort": ("-" if self.descending else "") + self.sort,
        }
        if "page" not in changes:
            values["page"] = 1 if changes else self.page
        values.update(changes)
        return "?" + urlencode({k: v for k, v in values.items() if v not in ("", 1)})

    def sort_link(self, sort: str) -> str:
        """The link of a column's header: sort by it, or the other way if sorted by it."""
        flipped = sort == self.sort and not self.descending
        return self.link(sort=("-" if flipped else "") + sort)

    def arrow(self, sort: str) -> str:
        """▲ or ▼ beside the column the rows are sorted by."""
        if sort != self.sort:
            return ""
        return "▼" if self.descending else "▲"
