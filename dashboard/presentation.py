"""Template context for the dashboard fragments: shared by the first page render and every
push, so the two cannot drift."""

from __future__ import annotations

import time
from typing import Any

from .charts import trend_chart
from .selectors import dashboard_state


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
