"""Keeps the walls' viewer count current: sockets join and leave, walls are told (coalesced).

A connect storm (a server restart brings every screen back at once) must not send one
message per socket to every wall: announcements are debounced per process, trailing edge,
so N joins within a window cost one reading and one message to the wall group.
"""

from __future__ import annotations

import asyncio
import logging

from django.conf import settings

from . import broadcast
from .perloop import PerLoop
from .presence import Kind, Presence, Viewers, get_presence

logger = logging.getLogger(__name__)


class ViewerTracker:
    def __init__(self, presence: Presence, *, window_secs: float) -> None:
        self.presence = presence
        self._window_secs = window_secs
        self._dirty = False
        self._announcer: asyncio.Task[None] | None = None
        self._keepalive: asyncio.Task[None] | None = None
        self._announced: tuple[int, int] | None = None

    async def joined(self, kind: Kind) -> Viewers:
        """Count a socket in; returns the reading to show it at once."""
        viewers = await self.presence.join(kind)
        self._announce_soon()
        if self.presence.expires and (self._keepalive is None or self._keepalive.done()):
            self._keepalive = asyncio.create_task(self._keep_alive(), name="presence-keepalive")
        return viewers

    async def left(self, kind: Kind) -> None:
        await self.presence.leave(kind)
        self._announce_soon()

    def _announce_soon(self) -> None:
        self._dirty = True
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.create_task(self._announce(), name="viewers-announce")

    async def _announce(self) -> None:
        while self._dirty:
            await asyncio.sleep(self._window_secs)
            self._dirty = False
            try:
                await self._send(await self.presence.count())
            except Exception:
                logger.exception("Could not announce the viewer count")

    async def _send(self, viewers: Viewers) -> None:
        self._announced = (viewers.dashboards, viewers.walls)
        await broadcast.announce_viewers(viewers)

    async def _keep_alive(self) -> None:
        """While this process has sockets: keep its entry alive, and notice dead processes."""
        while self.presence.local_total() > 0:
            await asyncio.sleep(self.presence.ttl_secs / 3)
            try:
                viewers = await self.presence.refresh()
                if (viewers.dashboards, viewers.walls) != self._announced:
                    await self._send(viewers)  # another process expired, or a message was lost
            except Exception:
                logger.exception("Could not refresh this process's presence")


_trackers: PerLoop[ViewerTracker] = PerLoop(
    lambda: ViewerTracker(get_presence(), window_secs=settings.LIVE_COALESCE_WINDOW_SECS)
)


def get_tracker() -> ViewerTracker:
    return _trackers.get()
