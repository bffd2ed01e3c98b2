"""Geometry for the server-rendered monthly trends chart (inline SVG, no JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .selectors import MonthTrend

CHART_WIDTH = 720
CHART_HEIGHT = 240
PLOT_TOP = 16
PLOT_BOTTOM = 200  # baseline; month labels sit below it
PLOT_LEFT = 8
BAR_GAP = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    amount: Decimal


@dataclass(frozen=True)
class MonthColumn:
    trend: MonthTrend
    label_x: float
    income: Bar
    expenses: Bar


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    baseline: int
    top: int
    scale_max: Decimal
    columns: list[MonthColumn]


def trend_chart(trends: Sequence[MonthTrend]) -> TrendChart:
    """Two bars per month, income and expenses (as magnitudes), on one shared scale."""
    scale_max = max(
        [Decimal("1")] + [max(t.income, -t.expenses) for t in trends]
    )
    plot_height = PLOT_BOTTOM - PLOT_TOP
    column_width = (CHART_WIDTH - PLOT_LEFT) / max(len(trends), 1)
    bar_width = (column_width - 4 * BAR_GAP) / 2

    def bar(x: float, amount: Decimal) -> Bar:
        height = float(abs(amount) / scale_max) * plot_height
        return Bar(x=round(x, 1), y=round(PLOT_BOTTOM - height, 1),
                   width=round(bar_width, 1), height=round(height, 1), amount=amount)

    columns = []
    for index, trend in enumerate(trends):
        left = PLOT_LEFT + index * column_width + BAR_GAP
        columns.append(
            MonthColumn(
                trend=trend,
                label_x=round(left + column_width / 2 - BAR_GAP, 1),
                income=bar(left, trend.income),
                expenses=bar(left + bar_width + BAR_GAP, trend.expenses),
            )
        )
    return TrendChart(
        width=CHART_WIDTH, height=CHART_HEIGHT, baseline=PLOT_BOTTOM, top=PLOT_TOP,
        scale_max=scale_max, columns=columns,
    )


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    line: str  # SVG polyline points
    area: str  # the same, closed along the baseline
    peak: int
    last_x: float
    last_y: float


def sparkline(values: Sequence[int], *, width: int = 600, height: int = 120,
              pad: int = 8) -> Sparkline:
    """A line through ``values`` (oldest first), scaled to the largest; zero at the bottom."""
    peak = max([1, *values])
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    points = [
        (round(pad + index * step, 1), round(height - pad - value / peak * (height - 2 * pad), 1))
        for index, value in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    base = height - pad
    area = f"{points[0][0]},{base} {line} {points[-1][0]},{base}" if points else ""
    last_x, last_y = points[-1] if points else (0.0, float(base))
    return Sparkline(width=width, height=height, line=line, area=area, peak=max(values, default=0),
                     last_x=last_x, last_y=last_y)
