"""WebSocket consumers: authenticate, join groups, send a snapshot, then coalesced pushes.

Thin by design: what a screen shows is read by ``dashboard.selectors`` and rendered by
``live.fragments``; this module only decides when.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from . import broadcast, fragments
from .coalesce import Coalescer

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_MESSAGE_TOO_BIG = 1009

# Read-only recomputes run on the thread pool, not on the one thread that every
# thread-sensitive call of the process queues on (DESIGN.md, "One thread per process").
_read_dashboard_frame = database_sync_to_async(fragments.dashboard_frame, thread_sensitive=False)
_render_error = database_sync_to_async(fragments.error_frame, thread_sensitive=False)


class LiveConsumer(AsyncWebsocketConsumer):
    """Pushes the full current state on connect and after every (coalesced) change."""

    refresher: Coalescer | None = None

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels hops through the shared sync thread (aclose_old_connections) before
        # every handler. Ours never touch the database on the event loop; recomputes go
        # through database_sync_to_async, which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        # Accept first: a close before accept() becomes an HTTP 403 and loses the code.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            logger.info("Refused an unauthenticated socket from %s", self.scope.get("client"))
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.live_groups = self.groups_for(user)
        for group in self.live_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.refresher = Coalescer(self.push_state, window_secs=settings.LIVE_COALESCE_WINDOW_SECS)
        await self.push_state()  # the snapshot: every (re)connect starts from the full state

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "live_groups", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        refresher = getattr(self, "refresher", None)
        if refresher is not None:
            await refresher.aclose()

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
        if self.refresher is not None:
            self.refresher.request()

    async def refuse(self, reason: str) -> None:
        logger.warning("Refused a client message (%s) from %s", reason, self.scope.get("client"))
        await self.send(text_data=await _render_error(reason))

    async def summary_changed(self, event: dict[str, Any]) -> None:
        if self.refresher is not None:
            self.refresher.request()

    async def push_state(self) -> None:
        await self.send(text_data=await self.read_frame())

    def groups_for(self, user: Any) -> list[str]:
        raise NotImplementedError

    async def read_frame(self) -> str:
        raise NotImplementedError


class DashboardConsumer(LiveConsumer):
    """One user's dashboard: their figures and nobody else's."""

    def groups_for(self, user: Any) -> list[str]:
        self.user_id = user.pk
        return [broadcast.user_group(user.pk)]

    async def read_frame(self) -> str:
        return await _read_dashboard_frame(user_id=self.user_id)

    async def import_progress(self, event: dict[str, Any]) -> None:
        # No database: the frame is rendered from the message itself.
        await self.send(
            text_data=fragments.import_progress_frame(done=event["done"], total=event["total"])
        )
