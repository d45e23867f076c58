"""Reporting periods longer than a month: quarters, halves, nine months, the year.

Decree 09/2019 (Art. 12) makes offices report quarterly, for six months and for the year as
well as monthly, on the same 15th-to-14th cut-off: the first quarter of 2025 runs from
15/12/2024 to 14/03/2025, the year 2025 from 15/12/2024 to 14/12/2025. A longer period is
the run of monthly periods it covers, so its window is the first month's start to the last
month's cut-off, and its figures add up from the monthly answers.

`ReportPeriod` is a `Period` named by its last month, so code that handles a monthly period
(the figures, the checks, the draft) handles a longer one too; `previous()` and `next()`
step by the same kind (Q1 -> Q4 of the year before). Monthly periods stay plain `Period`s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.periods import Period, parse_period


class PeriodKind(StrEnum):
    """How long a reporting period is."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"  # number 1: the first six months, 2: the second
    NINE_MONTHS = "nine_months"
    YEAR = "year"


# kind -> (months covered, the last month of number n)
_LENGTHS = {
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF: 6,
    PeriodKind.NINE_MONTHS: 9,
    PeriodKind.YEAR: 12,
}
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_FROM_ROMAN = {v.lower(): k for k, v in _ROMAN.items()}


def _last_month(kind: PeriodKind, number: int) -> int:
    return {
        PeriodKind.QUARTER: 3 * number,
        PeriodKind.HALF: 6 * number,
        PeriodKind.NINE_MONTHS: 9,
        PeriodKind.YEAR: 12,
    }[kind]


@dataclass(frozen=True, slots=True)
class ReportPeriod(Period):
    """A period of several months, named by its year, kind and number (quarter 1..4, half
    1..2; 1 for nine months and the year); `month` is its last month."""

    kind: PeriodKind = PeriodKind.YEAR
    number: int = 1

    def __post_init__(self) -> None:
        Period.__post_init__(self)
        if self.kind is PeriodKind.MONTH:
            raise ValueError("a monthly period is a plain Period")
        top = {PeriodKind.QUARTER: 4, PeriodKind.HALF: 2}.get(self.kind, 1)
        if not 1 <= self.number <= top:
            raise ValueError(f"{self.kind} number must be 1..{top}, got {self.number}")
        if self.month != _last_month(self.kind, self.number):
            raise ValueError(f"{self.kind} {self.number} ends in month {self.month}")

    @property
    def months(self) -> tuple[Period, ...]:
        """The monthly periods covered, oldest first."""
        first = self.month - _LENGTHS[self.kind] + 1
        return tuple(Period(self.year, m) for m in range(first, self.month + 1))

    @property
    def key(self) -> str:
        """As written on the command line, e.g. '2025-Q1', '2025-H2', '2025-9M', '2025'."""
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{self.number}"
        if self.kind is PeriodKind.HALF:
            return f"{self.year:04d}-H{self.number}"
        if self.kind is PeriodKind.NINE_MONTHS:
            return f"{self.year:04d}-9M"
        return f"{self.year:04d}"

    @property
    def label(self) -> str:
        """Not here: a longer period is named in words, and words live in the text catalog
        (`templates.periods.period_label`); a month's "MM/YYYY" would name it wrongly."""
        raise TypeError(f"{self.key}: name a longer period with templates.periods.period_label")

    @property
    def roman(self) -> str:
        """The quarter's number as decrees write it ('I' .. 'IV')."""
        return _ROMAN.get(self.number, str(self.number))

    def previous(self) -> ReportPeriod:
        """The period of the same kind before this one (Q1 2025 -> Q4 2024)."""
        if self.kind in (PeriodKind.QUARTER, PeriodKind.HALF) and self.number > 1:
            return report_period(self.kind, self.year, self.number - 1)
        top = {PeriodKind.QUARTER: 4, PeriodKind.HALF: 2}.get(self.kind, 1)
        return report_period(self.kind, self.year - 1, top)

    def next(self) -> ReportPeriod:
        """The period that follows (Q4 -> Q1 of next year; nine months -> the fourth
        quarter, what the plan after a nine-month report covers)."""
        if self.kind is PeriodKind.NINE_MONTHS:
            return report_period(PeriodKind.QUARTER, self.year, 4)
        top = {PeriodKind.QUARTER: 4, PeriodKind.HALF: 2}.get(self.kind, 1)
        if self.number < top:
            return report_period(self.kind, self.year, self.number + 1)
        return report_period(self.kind, self.year + 1, 1)

    def same_last_year(self) -> ReportPeriod:
        """The same period one year earlier (for "so với cùng kỳ năm trước")."""
        return report_period(self.kind, self.year - 1, self.number)


def report_period(kind: PeriodKind, year: int, number: int = 1) -> ReportPeriod:
    """The period of `kind` numbered `number` in `year`."""
    return ReportPeriod(year, _last_month(kind, number), kind, number)


def period_kind(period: Period) -> PeriodKind:
    """The kind of any period: MONTH for a plain monthly one."""
    return period.kind if isinstance(period, ReportPeriod) else PeriodKind.MONTH


def months_of(period: Period) -> tuple[Period, ...]:
    """The monthly periods a period covers (a monthly one: itself)."""
    return period.months if isinstance(period, ReportPeriod) else (period,)


def same_last_year(period: Period) -> Period:
    """The same period one year earlier, monthly or longer."""
    if isinstance(period, ReportPeriod):
        return period.same_last_year()
    return Period(period.year - 1, period.month)


_YEAR = r"(?P<year>\d{4})"
_SEP = r"\s*(?:/|-|năm)\s*"
_NUMBER = r"(?P<number>[1-4]|iv|iii|ii|i)"
# Checked in order, on the text lower-cased, accents composed and spaces collapsed.
_FORMS: tuple[tuple[re.Pattern[str], PeriodKind], ...] = (
    (re.compile(rf"^{_YEAR}-?q(?P<number>[1-4])$"), PeriodKind.QUARTER),
    (re.compile(rf"^q(?P<number>[1-4])[/-]{_YEAR}$"), PeriodKind.QUARTER),
    (re.compile(rf"^{_YEAR}-?h(?P<number>[12])$"), PeriodKind.HALF),
    (re.compile(rf"^{_YEAR}-?9m$"), PeriodKind.NINE_MONTHS),
    (re.compile(rf"^{_YEAR}$"), PeriodKind.YEAR),
    (re.compile(rf"^(?:quý|quy) {_NUMBER}{_SEP}{_YEAR}$"), PeriodKind.QUARTER),
    (
        re.compile(rf"^6 (?:tháng|thang)(?: (?P<half>đầu|dau|cuối|cuoi))?(?: năm| nam)? {_YEAR}$"),
        PeriodKind.HALF,
    ),
    (
        re.compile(rf"^9 (?:tháng|thang)(?: đầu| dau)?(?: năm| nam)? {_YEAR}$"),
        PeriodKind.NINE_MONTHS,
    ),
    (re.compile(rf"^(?:năm|nam) {_YEAR}$"), PeriodKind.YEAR),
)
_MONTH_WORD = re.compile(r"^(?:tháng|thang)\s+")


def _normal(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).strip().lower()
    return re.sub(r"\s+", " ", folded)


def parse_report_period(text: str) -> Period:
    """Read any period people give: '2025-03', '03/2025', 'tháng 3/2025' (a monthly
    Period); '2025-Q1', 'quý 1/2025', 'quý I/2025'; '2025-H1', '6 tháng 2025', '6 tháng đầu
    năm 2025'; '2025-H2', '6 tháng cuối năm 2025'; '2025-9M', '9 tháng 2025'; '2025',
    'năm 2025'. ValueError otherwise."""
    typed = _normal(text)
    try:
        return parse_period(_MONTH_WORD.sub("", typed))
    except ValueError:
        pass
    for pattern, kind in _FORMS:
        match = pattern.match(typed)
        if not match:
            continue
        year = int(match["year"])
        number = 1
        groups = match.groupdict()
        if groups.get("number"):
            raw = groups["number"]
            number = int(raw) if raw.isdigit() else _FROM_ROMAN[raw]
        elif groups.get("half") in ("cuối", "cuoi"):
            number = 2
        return report_period(kind, year, number)
    raise ValueError(
        f"not a period: {text!r} (expected YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2, YYYY-9M or YYYY)"
    )
