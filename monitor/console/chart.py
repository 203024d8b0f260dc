"""The SLA trend chart: geometry for an inline SVG of the last periods (no JavaScript).

`trend(points)` returns coordinates only; the template draws them, so every label goes
through Jinja's escaping. The y axis spans the values and the target with a margin, so a
breach is visibly below (or above, for maxima) the dashed target line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 72, 40, 16, 36


@dataclass(frozen=True)
class Point:
    label: str  # the period label, e.g. 2026-10
    value: Decimal | None
    ok: bool


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str
    text: str  # the value as shown
    tone: str  # ok | bad


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    dots: tuple[Dot, ...]
    line: str  # SVG polyline points
    target_y: float
    target_text: str
    ticks: tuple[tuple[float, str], ...]  # (y, label) on the value axis
    xlabels: tuple[tuple[float, str], ...]
    left: int
    right: int


def trend(points: Sequence[Point], target: Decimal, show: Callable[[Decimal], str],
          target_text: str, ceiling: Decimal | None = None) -> Trend:
    """`ceiling`: the largest value the metric can take (1 for a ratio), so the axis of an
    availability near 100 % does not run up to 100.012 %."""
    values = [p.value for p in points if p.value is not None] + [target]
    low, high = min(values), max(values)
    span = high - low or abs(high) * Decimal("0.01") or Decimal(1)
    low, high = low - span * Decimal("0.15"), high + span * Decimal("0.15")
    if ceiling is not None:
        high = min(high, ceiling)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(points) - 1, 1)

    def y(v: Decimal) -> float:
        return round(TOP + float((high - v) / (high - low)) * inner_h, 1)

    dots = []
    xlabels = []
    for i, p in enumerate(points):
        x = round(LEFT + (i * step if len(points) > 1 else inner_w / 2), 1)
        xlabels.append((x, p.label))
        if p.value is not None:
            dots.append(Dot(x, y(p.value), p.label, show(p.value), "ok" if p.ok else "bad"))
    ticks = tuple((y(v), show(v)) for v in (high, (high + low) / 2, low))
    return Trend(WIDTH, HEIGHT, tuple(dots), " ".join(f"{d.x},{d.y}" for d in dots),
                 y(target), target_text, ticks, tuple(xlabels), LEFT, WIDTH - RIGHT)
