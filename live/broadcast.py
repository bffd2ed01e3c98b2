"""The only module that talks to the channel layer: group names, the change message, sending."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

if TYPE_CHECKING:
    from .presence import Viewers

logger = logging.getLogger(__name__)

# Handled by ``consumer.summary_changed``. It carries no figures: a consumer reads the
# current state itself, so a lost or late message is healed by the next one.
SUMMARY_CHANGED = "summary.changed"
# Handled by ``WallConsumer.wall_changed``: some transaction changed, anybody's.
WALL_CHANGED = "wall.changed"
# Handled by ``WallConsumer.viewers_changed``: the number of open sockets, with a sequence.
VIEWERS_CHANGED = "viewers.changed"
# Handled by ``WallConsumer.wall_link_closed``: the link was revoked, expired or deleted.
WALL_LINK_CLOSED = "wall.link.closed"

# Every wall socket, in every process: one message per announcement, not one per user.
WALL_GROUP = "wall"


def user_group(user_id: int) -> str:
    """The group of one user's dashboards; built from the server-side identity only."""
    return f"user.{int(user_id)}"


def wall_link_group(link_id: int) -> str:
    """The group of the sockets opened with one wall link (to close them on revocation)."""
    return f"wall.link.{int(link_id)}"


IMPORT_PROGRESS = "import.progress"


def change_message() -> dict[str, str]:
    return {"type": SUMMARY_CHANGED}


def new_change_id() -> str:
    """Names one announcement, unique across processes: the wall's shared cache key."""
    return f"{time.time_ns()}-{os.getpid()}-{os.urandom(4).hex()}"


def wall_change_message() -> dict[str, str]:
    return {"type": WALL_CHANGED, "change": new_change_id()}


async def announce_change(user_ids: Iterable[int]) -> None:
    """Tell every open dashboard of these users, and every wall, that figures changed."""
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in sorted(set(user_ids)):
        await layer.group_send(user_group(user_id), change_message())
    await layer.group_send(WALL_GROUP, wall_change_message())


def announce_change_sync(user_ids: Iterable[int]) -> None:
    """``announce_change`` for sync code (on_commit callbacks, commands)."""
    try:
        async_to_sync(announce_change)(list(user_ids))
    except Exception:
        # A failed announcement must never break the write that triggered it: screens
        # heal on the next change or reconnect, which always starts with a snapshot.
        logger.exception("Could not announce a change for users %s", sorted(set(user_ids)))


async def announce_viewers(viewers: Viewers) -> None:
    """Tell every wall how many sockets are open (the message carries the count)."""
    layer = get_channel_layer()
    if layer is not None:
        message: dict[str, Any] = {"type": VIEWERS_CHANGED, **viewers.as_message()}
        await layer.group_send(WALL_GROUP, message)


async def close_wall_link(link_id: int) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(wall_link_group(link_id), {"type": WALL_LINK_CLOSED})


def close_wall_link_sync(link_id: int) -> None:
    """Close every socket opened with this link, in every process (sockets re-check too)."""
    try:
        async_to_sync(close_wall_link)(link_id)
    except Exception:
        logger.exception("Could not announce the closing of wall link %s", link_id)


def announce_import_progress_sync(user_id: int, *, done: int, total: int) -> None:
    """Show an import's progress on the user's open dashboards (sync code only)."""
    message = {"type": IMPORT_PROGRESS, "done": int(done), "total": int(total)}
    try:
        async_to_sync(_group_send)(user_group(user_id), message)
    except Exception:
        logger.exception("Could not report import progress for user %s", user_id)


async def announce_external_change() -> None:
    """Tell the walls that external sources have new values (or went unavailable): to a
    wall it is a change like any other, recomputed once and shared (``live.wallcache``)."""
    await _group_send(WALL_GROUP, wall_change_message())


def announce_external_change_sync() -> None:
    """``announce_external_change`` for sync code (on_commit callbacks)."""
    try:
        async_to_sync(announce_external_change)()
    except Exception:
        logger.exception("Could not announce an external sources change")


async def _group_send(group: str, message: dict[str, object]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, message)
