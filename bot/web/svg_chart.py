"""A trend chart drawn on the server as inline SVG: the geometry of a line over periods
(the polyline, a dot per known value, the axis ticks labelled the Vietnamese way). The
template draws it; no JavaScript and no plotting library are needed to read it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from domain.numbers import format_number

WIDTH, HEIGHT = 640, 240
# Room for the value labels on the left and the period labels below.
LEFT, RIGHT, TOP, BOTTOM = 84, 28, 16, 36
TICKS = 4  # horizontal grid lines above the lowest
LABELLED = 6  # more periods than this: every other one is labelled (the last always is)


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
    """The value axis: from 0 (or below the lowest, if negative) past the highest, in TICKS
    round steps (1, 2, 2,5 or 5 times a power of ten), so the labels read 0, 5.000, 10.000."""
    low = min(low, Decimal(0))
    if high <= low:  # every value 0: an axis of 0 to 4
        high = low + TICKS
    raw = (high - low) / TICKS
    power = Decimal(10) ** raw.adjusted()
    for times in (1, 2, Decimal("2.5"), 5, 10, 20):
        step = power * times
        start = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
        if step >= raw and start + step * TICKS >= high:
            return start, start + step * TICKS
    return low, high  # not reached: 20 steps of a power of ten always cover the span


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
        Tick(y_of(low + span * i / TICKS), format_number(low + span * i / TICKS))
        for i in range(TICKS + 1)
    )
    last = len(points) - 1
    every = 2 if len(points) > LABELLED else 1
    periods = tuple(
        Tick(round(LEFT + i * step, 1), p[0])
        for i, p in enumerate(points)
        if (last - i) % every == 0
    )
    line = " ".join(f"{d.x},{d.y}" for d in dots)
    return TrendChart(WIDTH, HEIGHT, line, tuple(dots), values, periods)
