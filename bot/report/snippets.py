"""Jinja2 snippets of the report declaration, rendered into styled segments.

Filters mark what they print with private-use characters (figure, placeholder, lead), so
that the rendered text can be cut back into segments without parsing HTML. Text typed by
units is stripped of those characters (and of characters XML cannot hold) first, so a unit
can neither fake a marker nor break the Word file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, StrictUndefined, Template

from bot.report.model import Segment, SegmentKind
from domain.numbers import format_number, format_percent
from domain.report_figures import FigureValue, ValueKind
from templates.catalog import text

FIGURE = ("\ue000", "\ue001")
GAP = ("\ue002", "\ue003")
LEAD = ("\ue004", "\ue005")
STRONG = ("\ue006", "\ue007")
_KINDS = {
    FIGURE[0]: SegmentKind.FIGURE,
    GAP[0]: SegmentKind.GAP,
    LEAD[0]: SegmentKind.LEAD,
    STRONG[0]: SegmentKind.STRONG,
}
_MARKED = re.compile("([\ue000\ue002\ue004\ue006])(.*?)[\ue001\ue003\ue005\ue007]", re.DOTALL)
# Our markers, and the characters XML 1.0 cannot hold (C0 controls but tab and newlines).
_UNSAFE = re.compile("[\ue000-\ue00f\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(value: str) -> str:
    """Text from a unit, safe to put into a snippet's output and into a Word file."""
    return _UNSAFE.sub("", value)


def mark(kind: tuple[str, str], value: str) -> str:
    """`value` marked as a figure, a placeholder or a lead."""
    return kind[0] + value + kind[1]


def segments(rendered: str) -> list[Segment]:
    """Cut a rendered line back into segments."""
    found: list[Segment] = []
    position = 0
    for match in _MARKED.finditer(rendered):
        if match.start() > position:
            found.append(Segment(rendered[position : match.start()]))
        found.append(Segment(match[2], _KINDS[match[1]]))
        position = match.end()
    if position < len(rendered):
        found.append(Segment(rendered[position:]))
    return found


@dataclass(slots=True)
class Fig:
    """A figure as a snippet sees it: printed by filters, or as is (`{{ name }}`).

    `report_gap` is called with the figure whenever a placeholder is printed for it, so the
    draft lists exactly the gaps a reader sees.
    """

    figure: FigureValue
    label: str
    unit_names: Callable[[tuple[str, ...]], str]
    report_gap: Callable[[Fig], None]
    emphasis: bool = False  # printed bold (report.toml's `emphasis = true`)

    @property
    def value(self) -> Decimal | str | date | None:
        """The raw value, for tests in snippets (`{% if x.value == 0 %}`)."""
        return self.figure.value

    def placeholder(self) -> str:
        """The visible stand-in for a figure that is missing or only partly known."""
        self.report_gap(self)
        f = self.figure
        names = self.unit_names(f.missing)
        if f.previous_missing:
            shown = text("report.gap.previous", units=names)
        elif isinstance(f.value, Decimal) and f.kind is ValueKind.NUMBER:
            # A partial sum is shown as such; a partial percentage or range would mislead.
            shown = text("report.gap.partial", units=names, partial=format_number(f.value))
        elif f.missing:
            shown = text("report.gap.missing", units=names)
        else:
            shown = text("report.gap.not_computable")
        return mark(GAP, shown)

    def __str__(self) -> str:
        kind = self.figure.kind
        if kind in (ValueKind.RATIO, ValueKind.PERCENT):
            return percent(self)
        if kind is ValueKind.POINTS:
            return change(self)
        if kind is ValueKind.DATE:
            return vn_date(self)
        if kind is ValueKind.TEXT:
            if not self.figure.complete and self.figure.missing:
                return self.placeholder()
            return clean(str(self.figure.value or ""))
        return number(self)


def _known(value: Any) -> tuple[Fig | None, Any]:
    """(the Fig, None) when its value cannot be printed, else (None, the plain value)."""
    if isinstance(value, Fig):
        if not value.figure.complete:
            return value, None
        return None, value.figure.value
    return None, value


def _figure(value: Any, shown: str) -> str:
    """`shown` marked as a figure: bold when the declaration emphasises it."""
    strong = isinstance(value, Fig) and value.emphasis
    return mark(STRONG if strong else FIGURE, shown)


def _not_a_number(value: Any) -> bool:
    """A figure shown as it is rather than as one number: values listed month by month
    (text), or a range of percentages."""
    return isinstance(value, Fig) and (
        value.figure.kind is ValueKind.TEXT or value.figure.low is not None
    )


def number(value: Any, places: int | None = None) -> str:
    """A number the Vietnamese way ("1.924.862"), or a placeholder."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if plain is None:
        return mark(GAP, text("report.gap.unknown"))
    if isinstance(value, Fig) and value.figure.kind is ValueKind.RATIO:
        return percent(value)
    if _not_a_number(value):
        return str(value) if value.figure.kind is ValueKind.TEXT else percent(value)
    return _figure(value, format_number(Decimal(plain), places))


def padded(value: Any) -> str:
    """A count with a leading zero under 10 ("03 tin bài"), as office writing has it."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if plain is None:
        return mark(GAP, text("report.gap.unknown"))
    whole = Decimal(plain)
    shown = format_number(whole)
    return _figure(value, "0" + shown if 0 <= whole < 10 and whole == int(whole) else shown)


def percent(value: Any, places: int | None = None) -> str:
    """A ratio or a typed percentage as "20,33%", or a placeholder."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if plain is None:
        return mark(GAP, text("report.gap.unknown"))
    if isinstance(value, Fig):
        digits = value.figure.places if places is None else places
        if value.figure.kind is ValueKind.TEXT:
            return str(value)
        low = value.figure.low
        if low is not None:
            shown = f"{format_number(low, digits)}% – {format_number(Decimal(plain), digits)}%"
            return _figure(value, shown)
        if value.figure.kind is ValueKind.RATIO:
            return _figure(value, format_percent(Decimal(plain), digits))
        # A typed percentage is printed with the decimals the unit typed ("97,5%"), at
        # most the figure's places (one recomputed from its parts: "83,33%").
        if places is None:
            typed = -Decimal(plain).as_tuple().exponent  # type: ignore[operator]
            digits = min(digits, max(typed, 0))
        return _figure(value, format_number(Decimal(plain), digits) + "%")
    return mark(FIGURE, format_percent(Decimal(plain), 2 if places is None else places))


def change(value: Any) -> str:
    """A change as words: "tăng 164.320", "giảm 12", "tăng 0,32%" (points of a percentage)."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if plain is None:
        return mark(GAP, text("report.gap.unknown"))
    amount = Decimal(plain)
    word = text("report.change.down" if amount < 0 else "report.change.up")
    if isinstance(value, Fig) and value.figure.kind is ValueKind.POINTS:
        shown = format_number(abs(amount), value.figure.places) + "%"
    else:
        shown = format_number(abs(amount))
    return word + " " + _figure(value, shown)


def vn_date(value: Any) -> str:
    """A date as "13/02/2022", or a placeholder."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if not isinstance(plain, date):
        return mark(GAP, text("report.gap.unknown"))
    return _figure(value, plain.strftime("%d/%m/%Y"))


def lowered(value: Any) -> str:
    """A chosen answer inside a sentence: "Đã công khai" -> "đã công khai"; a placeholder
    when the unit has not answered."""
    fig, plain = _known(value)
    if fig is not None:
        return fig.placeholder()
    if plain is None:
        return mark(GAP, text("report.gap.unknown"))
    shown = clean(str(plain))
    return shown[:1].lower() + shown[1:]


def lead(value: str) -> str:
    """An italic label."""
    return mark(LEAD, value)


@cache
def environment() -> Environment:
    """The environment report snippets are rendered in (plain text, strict names)."""
    env = Environment(undefined=StrictUndefined, keep_trailing_newline=False, autoescape=False)
    env.filters.update(
        number=number,
        padded=padded,
        percent=percent,
        change=change,
        vn_date=vn_date,
        lead=lead,
        lowered=lowered,
    )
    return env


@cache
def compiled(source: str) -> Template:
    """A snippet, compiled once however many times it is rendered."""
    return environment().from_string(source)
