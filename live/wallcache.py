"""One wall frame per change and minute, shared by every wall socket in every process.

A wall socket that must push asks for the frame of (the last change it heard of, the current
minute). Sockets that heard the same change share the key, so:

- in this process, the first asker starts the load and the others await the same task;
- across processes, the load goes through Django's cache (Redis with ``REDIS_URL``): the
  first process to miss takes a short lock (``cache.add``), recomputes and stores the
  frame; the others wait for it, bounded by the lock's lifetime.

The minute is in the key because the wall's figures move with the clock (today, the last
15 minutes, the last hour) even when nothing is saved. Loads run on the thread pool, never
on the event loop or the one shared sync thread.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.cache import cache

from .perloop import PerLoop

LOCK_SECS = 10.0
POLL_SECS = 0.02
MEMO_SIZE = 8


@dataclass(frozen=True)
class WallFrame:
    stamp: int  # the version in the frame: taken before the read, later reads are larger
    minute: int
    html: str


def current_minute() -> int:
    return int(time.time() // 60)


def _fresh_change() -> str:
    return f"fresh-{uuid.uuid4().hex}"


@dataclass
class _ProcessState:
    """What this process (event loop) knows: the last change heard, and loads in flight."""

    latest_change: str = field(default_factory=_fresh_change)
    subscribers: int = 0
    memo: OrderedDict[str, asyncio.Task[WallFrame]] = field(default_factory=OrderedDict)


_state: PerLoop[_ProcessState] = PerLoop(_ProcessState)


def subscribed() -> None:
    """A wall socket joined the wall group in this process.

    With no wall socket, nobody here heard the changes: the first one must not reuse a
    frame for an old change, so it gets a change name of its own (one fresh recompute).
    """
    state = _state.get()
    if state.subscribers == 0:
        state.latest_change = _fresh_change()
    state.subscribers += 1


def unsubscribed() -> None:
    state = _state.get()
    state.subscribers = max(0, state.subscribers - 1)


def heard(change: str) -> None:
    """A wall socket here heard of a change: new sockets' snapshots start from it."""
    _state.get().latest_change = change


def latest_change() -> str:
    return _state.get().latest_change


def frame_key(*, change: str, minute: int, show_names: bool) -> str:
    return f"wall:frame:{'names' if show_names else 'anon'}:{change}:{minute}"


def _render(minute: int, show_names: bool) -> WallFrame:
    from . import fragments

    stamp, html = fragments.wall_frame(show_names=show_names)
    return WallFrame(stamp=stamp, minute=minute, html=html)


def load_frame(*, change: str, minute: int, show_names: bool) -> WallFrame:
    """The frame for this key from the shared cache, or recomputed once for everybody."""
    key = frame_key(change=change, minute=minute, show_names=show_names)
    frame = cache.get(key)
    if frame is not None:
        return frame
    lock = f"{key}:lock"
    if not cache.add(lock, 1, timeout=LOCK_SECS):
        # Another process is computing it: wait for its result rather than recompute.
        deadline = time.monotonic() + LOCK_SECS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECS)
            frame = cache.get(key)
            if frame is not None:
                return frame
    try:
        frame = _render(minute, show_names)
        cache.set(key, frame, timeout=settings.WALL_FRAME_TTL_SECS)
    finally:
        cache.delete(lock)
    return frame


_load_frame = database_sync_to_async(load_frame, thread_sensitive=False)


async def wall_frame(*, change: str, show_names: bool) -> WallFrame:
    """The frame for the change heard last, at the current minute; one load per key."""
    minute = current_minute()
    key = frame_key(change=change, minute=minute, show_names=show_names)
    memo = _state.get().memo
    task = memo.get(key)
    if task is None:
        task = asyncio.ensure_future(_load_frame(change=change, minute=minute,
                                                 show_names=show_names))
        memo[key] = task
        while len(memo) > MEMO_SIZE:
            memo.popitem(last=False)
        # A failed load is forgotten, so the next asker tries again.
        task.add_done_callback(lambda done: done.cancelled() or done.exception() is None
                               or memo.pop(key, None))
    # Shielded: a socket that goes away mid-load does not cancel it for the others.
    return await asyncio.shield(task)
