"""The operators' wall: ``/wall/`` for staff sessions, ``/wall/<token>/`` for a TV.

A wall link is a read-only credential for these two URLs and their sockets only: the view
never logs anybody in, so the token opens no API, dashboard or admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .presentation import wall_context
from .wall_selectors import wall_link_for_token

PANELS = ("totals", "external", "feed", "rate", "categories", "largest")
THEMES = ("dark", "light")
MAX_ROTATE_SECS = 3600

Refusal = Literal["unknown", "revoked", "expired", "staff"]
REFUSALS: dict[Refusal, tuple[int, str, str]] = {
    "unknown": (404, "Not a wall link",
                "This address is not a valid wall link. Ask a staff member for a new one."),
    "revoked": (403, "Wall link revoked",
                "This wall link was revoked. Ask a staff member for a new one."),
    "expired": (403, "Wall link expired",
                "This wall link has expired. Ask a staff member for a new one."),
    "staff": (403, "Staff only", "The wall is for staff accounts."),
}


@dataclass(frozen=True)
class WallOptions:
    """Per-screen options from the query string: ``?theme=light&panels=feed,rate&rotate=15``."""

    theme: str = "dark"
    panels: tuple[str, ...] = PANELS
    rotate: int = 0  # seconds per panel; 0 shows every panel at once

    @property
    def layout(self) -> str:
        """``full``: every panel in its place; ``rotate``: one at a time; ``some``: a grid."""
        if self.rotate and len(self.panels) > 1:
            return "rotate"
        return "full" if self.panels == PANELS else "some"

    @classmethod
    def from_query(cls, query: QueryDict) -> WallOptions:
        """Unknown or malformed values fall back to the defaults: a TV shows *something*."""
        theme = query.get("theme", "dark")
        names = [name.strip() for name in query.get("panels", "").split(",")]
        panels = tuple(name for name in PANELS if name in names) or PANELS
        try:
            rotate = min(max(int(query.get("rotate", "0")), 0), MAX_ROTATE_SECS)
        except ValueError:
            rotate = 0
        return cls(theme=theme if theme in THEMES else "dark", panels=panels, rotate=rotate)


def _no_leaks(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: keep it out of Referer headers and shared caches.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def refused(request: HttpRequest, why: Refusal) -> HttpResponse:
    status, title, message = REFUSALS[why]
    response = render(request, "wall/refused.html", {"title": title, "message": message},
                      status=status)
    return _no_leaks(response)


def _render_wall(request: HttpRequest, *, ws_url: str, link_name: str = "") -> HttpResponse:
    context = wall_context(show_names=settings.WALL_SHOW_NAMES)
    context.update(
        options=WallOptions.from_query(request.GET),
        ws_url=ws_url,
        link_name=link_name,
        stale_after=int(settings.WALL_STALE_AFTER_SECS),
        viewers=None,  # the socket's first frames bring the count
    )
    return _no_leaks(render(request, "wall/index.html", context))


@require_GET
def wall(request: HttpRequest) -> HttpResponse:
    """The wall for a signed-in staff member."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        return refused(request, "staff")
    return _render_wall(request, ws_url="/ws/wall/")


@require_GET
def wall_link(request: HttpRequest, token: str) -> HttpResponse:
    """The wall for a TV, opened with a wall link's token."""
    link = wall_link_for_token(token)
    if link is None:
        return refused(request, "unknown")
    problem = link.problem()
    if problem is not None:
        return refused(request, problem)  # type: ignore[arg-type]
    return _render_wall(request, ws_url=f"/ws/wall/{token}/", link_name=link.name)
