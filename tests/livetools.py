"""Helpers for tests that talk to the real ASGI application over WebSockets."""

from __future__ import annotations

import asyncio
import re

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from dashboard.asgi import application

ORIGIN = (b"origin", b"http://localhost")


@database_sync_to_async
def session_cookie_for(user: object) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(path: str = "/ws/dashboard/", *, user: object | None = None,
                  headers: list[tuple[bytes, bytes]] | None = None) -> WebsocketCommunicator:
    sent_headers = [ORIGIN] if headers is None else list(headers)
    if user is not None:
        sent_headers.append((b"cookie", await session_cookie_for(user)))
    communicator = WebsocketCommunicator(application, path, headers=sent_headers)
    return communicator


def figure(frame: str, name: str) -> str:
    """The text of one figure in a rendered frame or page."""
    match = re.search(
        rf'data-figure="{name}"[^>]*>.*?class="figure-value">([^<]*)<', frame, re.S
    )
    assert match, f"figure {name!r} not in frame"
    return match.group(1).strip()


def frame_version(frame: str) -> int:
    match = re.search(r'id="live-version" data-version="(\d+)"', frame)
    assert match, "no version in frame"
    return int(match.group(1))


def without_version(frame: str) -> str:
    return re.sub(r'data-version="\d+"', 'data-version=""', frame)


class GroupProbe:
    """A channel joined to a group, to count what the group was sent (any channel layer)."""

    MARKER = "probe.marker"

    def __init__(self, group: str) -> None:
        self.group = group
        self.layer = get_channel_layer()
        self.channel = ""

    async def join(self) -> GroupProbe:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        return self

    async def received(self) -> list[dict]:
        """Everything sent to the group so far: sends a marker, reads up to it."""
        await self.layer.group_send(self.group, {"type": self.MARKER})
        messages = []
        while True:
            message = await asyncio.wait_for(self.layer.receive(self.channel), timeout=10)
            if message["type"] == self.MARKER:
                return messages
            messages.append(message)

    async def leave(self) -> None:
        await self.layer.group_discard(self.group, self.channel)
