"""Renders states into the HTML that the page swaps: the same templates as the first render."""

from __future__ import annotations

from functools import lru_cache

from django.template.loader import render_to_string

from dashboard.presentation import dashboard_context, wall_context


def dashboard_frame(*, user_id: int) -> str:
    """Read one user's dashboard and render it as one WebSocket text frame.

    Each top-level element carries an ``id``; htmx's ws extension swaps it in place of the
    element with the same id (``hx-swap-oob`` is its default for every element of a frame).
    """
    return render_to_string("live/dashboard_frame.html", dashboard_context(user_id=user_id))


def wall_frame(*, show_names: bool) -> tuple[int, str]:
    """Read the wall's figures and render every panel as one frame; returns its version too."""
    context = wall_context(show_names=show_names)
    return context["version"], render_to_string("live/wall_frame.html", context)


@lru_cache(maxsize=256)
def viewers_frame(*, dashboards: int, walls: int) -> str:
    """The viewer count; the same numbers always render the same HTML, so it is memoised."""
    return render_to_string("live/wall_viewers.html",
                            {"viewers": {"dashboards": dashboards, "walls": walls,
                                         "total": dashboards + walls}})


@lru_cache(maxsize=1)
def heartbeat_frame() -> str:
    """The heartbeat: a frame that changes nothing on screen but says "still here"."""
    return render_to_string("live/wall_heartbeat.html")


def import_progress_frame(*, done: int, total: int) -> str:
    """The import progress bar, swapped by id into the dashboard's import card."""
    return render_to_string("live/import_progress.html", {"done": done, "total": total})


def error_frame(reason: str) -> str:
    """A frame that tells the client its message was refused, without changing the page."""
    return render_to_string("live/error.html", {"reason": reason})
