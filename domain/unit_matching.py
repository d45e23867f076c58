"""Finding the configured unit a free-text unit name refers to ("UBND P.6" -> UBND Phường 6).

Exports of other systems write unit names their own way: with or without diacritics, in
capitals, abbreviated ("P." for Phường, "TT" for Thị trấn, "UBND" for Ủy ban nhân dân).
Names are compared on a folded form; a name that matches no unit, or several, is not
guessed: the caller gets the closest unit as a suggestion for a person to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.units import Unit

_WORD = re.compile(r"[^\W\d_]+|\d+")

# Long forms and the short form both are folded to. Contracting (rather than expanding
# abbreviations) keeps ambiguous abbreviations harmless: "TT" may be Thị trấn or Trung tâm,
# and both long forms fold to "tt", so either is found. Longest phrases first.
_CONTRACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("uy", "ban", "nhan", "dan"), "ubnd"),
    (("thi", "tran"), "tt"),
    (("trung", "tam"), "tt"),
    (("thi", "xa"), "tx"),
    (("thanh", "pho"), "tp"),
    (("phuong",), "p"),
    (("xa",), "x"),
    (("quan",), "q"),
    (("huyen",), "h"),
)
# Words a name may carry or leave out without naming another unit ("Phường 6" is
# "UBND Phường 6" when no other unit is called that).
_OPTIONAL_WORDS = frozenset({"ubnd"})
# How alike (0..1, the Indel similarity ratio) a name must be to a unit's to be suggested.
CUTOFF = 0.6
# The score of a unit whose whole name appears inside the name given.
CONTAINED = 0.7


def fold(text: str) -> str:
    """Lower case without Vietnamese diacritics: "Ủy ban Phường" -> "uy ban phuong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).casefold()


def words(text: str) -> list[str]:
    """The folded words of a text, numbers without leading zeros ("P.06" -> ["p", "6"])."""
    return [w.lstrip("0") or "0" if w.isdigit() else w for w in _WORD.findall(fold(text))]


def _contract(tokens: Sequence[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, short in _CONTRACTIONS:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.append(short)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def exact_key(text: str) -> str:
    """Folded words only: case, diacritics, punctuation and spacing ignored."""
    return " ".join(words(text))


def loose_key(text: str) -> str:
    """Like `exact_key`, with common long forms and abbreviations folded together."""
    return " ".join(_contract(words(text)))


def bare_key(text: str) -> str:
    """Like `loose_key`, without the words a name may leave out ("UBND")."""
    return " ".join(w for w in _contract(words(text)) if w not in _OPTIONAL_WORDS)


@dataclass(frozen=True, slots=True)
class UnitMatch:
    """The unit a name refers to, or None with the closest unit (if any) as a suggestion."""

    unit_code: str | None
    suggestion: str | None = None


Key = Callable[[str], str]
_KEYS: tuple[Key, ...] = (exact_key, loose_key, bare_key)


class UnitMatcher:
    """Matches free-text names against the units' codes, names and aliases."""

    def __init__(self, units: Iterable[Unit]) -> None:
        """Index the units (in their configured order, which breaks suggestion ties)."""
        self._units = sorted(units, key=lambda u: (u.order, u.code))
        self._codes = {fold(u.code).strip(): u.code for u in self._units}
        self._levels = [(key, self._index(key)) for key in _KEYS]
        self._cache: dict[str, UnitMatch] = {}

    def _index(self, key: Key) -> dict[str, list[str]]:
        """Folded name -> codes of the units called that (more than one: ambiguous)."""
        index: dict[str, list[str]] = {}
        for unit in self._units:
            for name in (unit.code, unit.name, *unit.aliases):
                folded = key(name)
                if folded and unit.code not in index.setdefault(folded, []):
                    index[folded].append(unit.code)
        return index

    def match(self, text: str) -> UnitMatch:
        """The unit `text` names; ambiguous or unknown names get a suggestion instead."""
        if text not in self._cache:  # exports repeat the same few names on every row
            self._cache[text] = self._match(text)
        return self._cache[text]

    def _match(self, text: str) -> UnitMatch:
        folded = fold(text).strip()
        if not folded:
            return UnitMatch(None)
        if folded in self._codes:
            return UnitMatch(self._codes[folded])
        for key, index in self._levels:
            found = index.get(key(text), [])
            if len(found) == 1:
                return UnitMatch(found[0])
            if found:
                # Several units answer to this name: a person must choose; offer the first.
                return UnitMatch(None, found[0])
        return UnitMatch(None, self._closest(text))

    def _closest(self, text: str) -> str | None:
        best: tuple[float, str] | None = None
        for key, index in self._levels[1:]:
            query = key(text)
            # rapidfuzz's ratio (the Indel similarity difflib's ratio approximates), in C and
            # with the cutoff pruning early: difflib took ~100 ms per name at 5,000 units.
            found = process.extractOne(
                query, index.keys(), scorer=fuzz.ratio, score_cutoff=CUTOFF * 100
            )
            scored = [] if found is None else [(found[1] / 100, found[0])]
            # A name with words added ("Sở Y tế tỉnh Trà Vinh") is far from the unit's by
            # ratio, yet plainly about it: a unit name found whole inside counts as close.
            # Looked up as every run of the query's words, not by scanning every unit.
            scored += [
                (CONTAINED + len(name) / 1000, name)
                for name in _word_runs(query)
                if len(name) > 2 and name in index
            ]
            for score, name in scored:
                if best is None or score > best[0]:
                    best = (score, index[name][0])
        return None if best is None else best[1]


def _word_runs(query: str) -> set[str]:
    """Every run of consecutive words of a space-joined key: "a b c" -> a, b, c, a b, b c..."""
    tokens = query.split(" ")
    return {
        " ".join(tokens[start:end])
        for start in range(len(tokens))
        for end in range(start + 1, len(tokens) + 1)
    }
