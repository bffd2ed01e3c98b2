import datetime as dt
from decimal import Decimal

from dashboard.charts import CHART_WIDTH, PLOT_BOTTOM, PLOT_TOP, trend_chart
from dashboard.selectors import MonthTrend


def trend(month: int, income: str, expenses: str) -> MonthTrend:
    return MonthTrend(dt.date(2026, month, 1), Decimal(income), Decimal(expenses))


def test_trend_chart_scales_to_largest_magnitude():
    chart = trend_chart([trend(1, "100", "-50"), trend(2, "0", "-200")])
    assert chart.scale_max == Decimal("200")
    first, second = chart.columns
    assert second.expenses.height == PLOT_BOTTOM - PLOT_TOP
    assert first.income.height == (PLOT_BOTTOM - PLOT_TOP) / 2
    assert first.expenses.y == PLOT_BOTTOM - first.expenses.height


def test_trend_chart_all_zero_draws_flat_bars():
    chart = trend_chart([trend(m, "0", "0") for m in range(1, 13)])
    assert all(c.income.height == 0 and c.expenses.height == 0 for c in chart.columns)
    assert chart.columns[-1].expenses.x + chart.columns[-1].expenses.width <= CHART_WIDTH
