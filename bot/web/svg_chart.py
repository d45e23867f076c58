"""A trend chart drawn on the server as inline SVG: the geometry of a line over periods
(the polyline, a dot per known value, the axis ticks labelled the Vietnamese way). The
template draws it; no JavaScript and no plotting library are needed to read it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.numbers import format_number

WIDTH, HEIGHT = 640, 240
# Room for the value labels on the left and the period labels below.
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 36
TICKS = 4  # horizontal grid lines above the lowest


@dataclass(frozen=True, slots=True)
class Dot:
    """A known value: where it is drawn and what its tooltip (<title>) says."""

    x: float
    y: float
    label: str  # the period, as 03/2024
    value: str  # the value, as 1.234,5
    missing: int  # units whose answer the value lacks (a partial total)


@dataclass(frozen=True, slots=True)
class Tick:
    """A labelled place on an axis."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class TrendChart:
    """What the template draws: the polyline's points, the dots, the two axes' labels."""

    width: int
    height: int
    line: str  # the polyline's "x,y x,y ..." (periods without a value are skipped)
    dots: tuple[Dot, ...]
    values: tuple[Tick, ...]  # y positions of the value ticks, lowest first
    periods: tuple[Tick, ...]  # x positions of the period labels
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def _scale(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal]:
    """The value range shown: from 0 (or the lowest, if negative) to the highest, never
    empty (a flat line sits in the middle)."""
    low = min(low, Decimal(0))
    if high == low:
        return low - 1 if low else low, high + 1
    return low, high


def _tick_value(value: Decimal, span: Decimal) -> str:
    # Whole numbers when the span allows it: "1.250", not "1.250,000000".
    places = 0 if span >= TICKS else 2
    return format_number(value, places)


def trend_chart(points: Sequence[tuple[str, Decimal | None, int]]) -> TrendChart:
    """The chart of (period label, value or None, units missing) oldest first."""
    known = [v for _, v, _ in points if v is not None]
    low, high = _scale(min(known, default=Decimal(0)), max(known, default=Decimal(0)))
    span = high - low
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def y_of(value: Decimal) -> float:
        return round(TOP + inner_h * float((high - value) / span), 1)

    dots = []
    for index, (label, value, missing) in enumerate(points):
        if value is not None:
            x = round(LEFT + index * step, 1)
            dots.append(Dot(x, y_of(value), label, format_number(value), missing))
    values = tuple(
        Tick(y_of(low + span * i / TICKS), _tick_value(low + span * i / TICKS, span))
        for i in range(TICKS + 1)
    )
    periods = tuple(Tick(round(LEFT + i * step, 1), p[0]) for i, p in enumerate(points))
    line = " ".join(f"{d.x},{d.y}" for d in dots)
    return TrendChart(WIDTH, HEIGHT, line, tuple(dots), values, periods)
