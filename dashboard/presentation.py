"""Template context for the dashboard fragments: shared by the first page render and every
push, so the two cannot drift."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .charts import sparkline, trend_chart
from .selectors import dashboard_state, external_sources_latest
from .wall_history import history_before
from .wall_selectors import day_start, wall_figures


def new_version() -> int:
    """A version for a state about to be read: later reads get larger versions.

    Taken *before* the read, so a state stamped v includes every commit made before v.
    """
    return time.time_ns()


def dashboard_context(*, user_id: int) -> dict[str, Any]:
    """Read one user's dashboard and shape it for the fragment templates."""
    version = new_version()
    state = dashboard_state(user_id=user_id)
    return {
        "version": version,
        "summary": state.summary,
        "trends": state.trends,
        "chart": trend_chart(state.trends),
        "recent": state.recent,
    }


def wall_context(*, show_names: bool, now: dt.datetime | None = None) -> dict[str, Any]:
    """Read the wall's figures and shape them for the fragment templates."""
    version = new_version()
    now = now or timezone.now()
    figures = wall_figures(show_names=show_names, now=now,
                           before_today=history_before(day_start(now)))
    peak_volume = max([c.volume for c in figures.top_categories], default=Decimal(0))
    return {
        "version": version,
        "wall": figures,
        "show_names": show_names,
        "today": timezone.localdate(now).strftime("%Y%m%d"),
        "sparkline": sparkline(figures.rate),
        "external_sources": external_sources_latest(),
        "categories": [
            {"row": row, "percent": float(row.volume / peak_volume * 100) if peak_volume else 0}
            for row in figures.top_categories
        ],
    }
