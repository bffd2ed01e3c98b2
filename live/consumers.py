"""WebSocket consumers: authenticate, join groups, send a snapshot, then coalesced pushes.

Thin by design: what a screen shows is read by ``dashboard.selectors`` and rendered by
``live.fragments``; this module only decides when.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from dashboard.models import WallLink
from dashboard.wall_selectors import wall_link_for_token

from . import broadcast, fragments, wallcache
from .coalesce import Coalescer
from .presence import Kind, Viewers
from .shared import SharedReads
from .viewers import get_tracker

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_MESSAGE_TOO_BIG = 1009

# Read-only recomputes run on the thread pool, not on the one thread that every
# thread-sensitive call of the process queues on (DESIGN.md, "One thread per process").
_read_dashboard_frame = database_sync_to_async(fragments.dashboard_frame, thread_sensitive=False)
_render_error = database_sync_to_async(fragments.error_frame, thread_sensitive=False)
_find_link = database_sync_to_async(wall_link_for_token, thread_sensitive=False)
_reload_link = database_sync_to_async(
    lambda pk: WallLink.objects.filter(pk=pk).first(), thread_sensitive=False
)

# Dashboards of this process that show the same user share one read per change.
shared_reads = SharedReads()


class LiveConsumer(AsyncWebsocketConsumer):
    """Pushes the full current state on connect and after every (coalesced) change."""

    refresher: Coalescer | None = None
    # time.monotonic() of the latest change this socket was told of: a push must come
    # from a read that started after it.
    changed_at: float = 0.0

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels hops through the shared sync thread (aclose_old_connections) before
        # every handler. Ours never touch the database on the event loop; recomputes go
        # through database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    presence_kind: Kind
    counted = False

    async def connect(self) -> None:
        # Accept first: a close before accept() becomes an HTTP 403 and loses the code.
        await self.accept()
        refusal = await self.authorise()
        if refusal is not None:
            logger.info("Refused a socket (close %d) from %s", refusal, self.scope.get("client"))
            await self.close(code=refusal)
            return
        self.live_groups = self.group_names()
        for group in self.live_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.refresher = Coalescer(self.push_state, window_secs=settings.LIVE_COALESCE_WINDOW_SECS)
        self.changed_at = time.monotonic()
        await self.push_state()  # the snapshot: every (re)connect starts from the full state
        await self.opened(await get_tracker().joined(self.presence_kind))
        self.counted = True

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "live_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        refresher = getattr(self, "refresher", None)
        if refresher is not None:
            await refresher.aclose()
        if self.counted:
            self.counted = False
            await get_tracker().left(self.presence_kind)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Clients may only ask for a fresh snapshot: ``{"type": "refresh"}``."""
        if bytes_data is not None:
            await self.refuse("binary frames are not accepted")
            return
        if len(text_data or "") > settings.LIVE_MAX_INCOMING_FRAME_BYTES:
            logger.warning("Closed a socket that sent %d bytes", len(text_data or ""))
            await self.close(code=CLOSE_MESSAGE_TOO_BIG)
            return
        try:
            message = json.loads(text_data or "")
        except ValueError:
            await self.refuse("not valid JSON")
            return
        if not isinstance(message, dict) or message.get("type") != "refresh":
            await self.refuse('unknown message; only {"type": "refresh"} is accepted')
            return
        self.changed_at = time.monotonic()  # the client wants a fresh read
        if self.refresher is not None:
            self.refresher.request()

    async def refuse(self, reason: str) -> None:
        logger.warning("Refused a client message (%s) from %s", reason, self.scope.get("client"))
        await self.send(text_data=await _render_error(reason))

    async def summary_changed(self, event: dict[str, Any]) -> None:
        self.changed_at = time.monotonic()
        if self.refresher is not None:
            self.refresher.request()

    async def push_state(self) -> None:
        frame = await self.read_frame()
        if frame is not None:
            await self.send(text_data=frame)

    async def authorise(self) -> int | None:
        """``None`` to serve this socket, else the close code that refuses it."""
        raise NotImplementedError

    def group_names(self) -> list[str]:
        raise NotImplementedError

    async def read_frame(self) -> str | None:
        """The frame to push now, or ``None`` when there is nothing newer to send."""
        raise NotImplementedError

    async def opened(self, viewers: Viewers) -> None:
        """Called once the socket is served and counted among the viewers."""


class DashboardConsumer(LiveConsumer):
    """One user's dashboard: their figures and nobody else's."""

    presence_kind = "dashboards"

    async def authorise(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return CLOSE_UNAUTHENTICATED
        self.user_id = user.pk
        return None

    def group_names(self) -> list[str]:
        return [broadcast.user_group(self.user_id)]

    async def read_frame(self) -> str:
        return await shared_reads.read(
            broadcast.user_group(self.user_id),
            since=self.changed_at,
            produce=lambda: _read_dashboard_frame(user_id=self.user_id),
        )


    async def import_progress(self, event: dict[str, Any]) -> None:
        # No database: the frame is rendered from the message itself.
        await self.send(
            text_data=fragments.import_progress_frame(done=event["done"], total=event["total"])
        )


class WallConsumer(LiveConsumer):
    """The operators' wall: everybody's figures, shared, plus a heartbeat and viewer count.

    Opened by a staff session (``/ws/wall/``) or a wall link (``/ws/wall/<token>/``). The
    frame comes from ``live.wallcache``: one recompute per change and minute for every wall
    in every process. Each socket runs its own heartbeat task: a sleeping coroutine costs
    far less than the socket itself, a slow screen only delays its own beats, and the task
    lives and dies with its socket (no registry to keep in step).
    """

    presence_kind = "walls"
    link_id: int | None = None
    link_expires_at: Any = None
    change: str | None = None
    sent_stamp = 0
    frame_minute = 0
    viewers_seq = 0
    viewers_shown: tuple[int, int] | None = None
    beating: asyncio.Task[None] | None = None

    async def authorise(self) -> int | None:
        token = self.scope["url_route"]["kwargs"].get("token")
        if token is None:
            user = self.scope.get("user")
            if user is None or not user.is_authenticated:
                return CLOSE_UNAUTHENTICATED
            return None if user.is_active and user.is_staff else CLOSE_FORBIDDEN
        link = await _find_link(token)
        if link is None or link.problem() is not None:
            return CLOSE_FORBIDDEN
        self.link_id, self.link_expires_at = link.pk, link.expires_at
        return None

    def group_names(self) -> list[str]:
        wallcache.subscribed()
        if self.link_id is None:
            return [broadcast.WALL_GROUP]
        return [broadcast.WALL_GROUP, broadcast.wall_link_group(self.link_id)]

    async def opened(self, viewers: Viewers) -> None:
        await self.show_viewers(viewers)
        self.beating = asyncio.create_task(self.beat(), name="wall-heartbeat")

    async def disconnect(self, code: int) -> None:
        if self.beating is not None:
            self.beating.cancel()
        if getattr(self, "live_groups", None):
            wallcache.unsubscribed()
        await super().disconnect(code)

    async def read_frame(self) -> str | None:
        frame = await wallcache.wall_frame(
            change=self.change or wallcache.latest_change(),
            show_names=settings.WALL_SHOW_NAMES,
        )
        self.frame_minute = frame.minute
        if frame.stamp <= self.sent_stamp:
            return None  # this screen has this state (or a newer one) already
        self.sent_stamp = frame.stamp
        return frame.html

    async def wall_changed(self, event: dict[str, Any]) -> None:
        self.change = str(event["change"])
        wallcache.heard(self.change)
        if self.refresher is not None:
            self.refresher.request()

    async def viewers_changed(self, event: dict[str, Any]) -> None:
        await self.show_viewers(Viewers.from_message(event))

    async def show_viewers(self, viewers: Viewers) -> None:
        if viewers.seq <= self.viewers_seq:
            return  # an older reading that arrived late
        self.viewers_seq = viewers.seq
        shown = (viewers.dashboards, viewers.walls)
        if shown == self.viewers_shown:
            return
        self.viewers_shown = shown
        # Memoised tiny templates, rendered on the loop: one render per distinct count per
        # process, where a thread hop per socket would cost more than the render itself.
        frame = fragments.viewers_frame(dashboards=viewers.dashboards, walls=viewers.walls)
        await self.send(text_data=frame)

    async def wall_link_closed(self, event: dict[str, Any]) -> None:
        logger.info("Closed a wall socket: its link %s was revoked", self.link_id)
        await self.close(code=CLOSE_FORBIDDEN)

    async def beat(self) -> None:
        """Every ``WALL_HEARTBEAT_SECS``: check the link, follow the clock, say "still here"."""
        interval = settings.WALL_HEARTBEAT_SECS
        since_check = 0.0
        while True:
            await asyncio.sleep(interval)
            since_check += interval
            if self.link_id is not None and await self.link_gone(since_check):
                await self.close(code=CLOSE_FORBIDDEN)
                return
            if since_check >= settings.WALL_LINK_RECHECK_SECS:
                since_check = 0.0
            if wallcache.current_minute() != self.frame_minute and self.refresher is not None:
                self.refresher.request()  # the figures move with the clock
            await self.send(text_data=fragments.heartbeat_frame())

    async def link_gone(self, since_check: float) -> bool:
        """Expired by the clock, or (re-read now and then) revoked, expired or deleted."""
        if self.link_expires_at is not None and self.link_expires_at <= timezone.now():
            return True
        if since_check < settings.WALL_LINK_RECHECK_SECS:
            return False
        link = await _reload_link(self.link_id)
        if link is None or link.problem() is not None:
            logger.info("Closed a wall socket: its link %s is no longer valid", self.link_id)
            return True
        return False
