"""The only module that talks to the channel layer: group names, the change message, sending."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable
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

# Handled by ``DashboardConsumer.import_progress``: how far an import of that user has got.
IMPORT_PROGRESS = "import.progress"

# Every wall socket, in every process: one message per announcement, not one per user.
WALL_GROUP = "wall"


def user_group(user_id: int) -> str:
    """The group of one user's dashboards; built from the server-side identity only."""
    return f"user.{int(user_id)}"


def wall_link_group(link_id: int) -> str:
    """The group of the sockets opened with one wall link (to close them on revocation)."""
    return f"wall.link.{int(link_id)}"


def change_message() -> dict[str, str]:
    return {"type": SUMMARY_CHANGED}


def new_change_id() -> str:
    """Names one announcement, unique across processes: the wall's shared cache key."""
    return f"{time.time_ns()}-{os.getpid()}-{os.urandom(4).hex()}"


def wall_change_message() -> dict[str, str]:
    return {"type": WALL_CHANGED, "change": new_change_id()}


async def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, message)


def _send_sync(send: Callable[..., Awaitable[None]], *args: Any, what: str) -> None:
    """Run an async send from sync code (on_commit callbacks, commands, imports).

    A failed announcement must never break the write that triggered it: screens heal on
    the next change or reconnect, which always starts with a snapshot.
    """
    try:
        async_to_sync(send)(*args)
    except Exception:
        logger.exception("Could not announce %s", what)


async def announce_change(user_ids: Iterable[int]) -> None:
    """Tell every open dashboard of these users, and every wall, that figures changed."""
    for user_id in sorted(set(user_ids)):
        await _group_send(user_group(user_id), change_message())
    await _group_send(WALL_GROUP, wall_change_message())


def announce_change_sync(user_ids: Iterable[int]) -> None:
    ids = sorted(set(user_ids))
    _send_sync(announce_change, ids, what=f"a change for users {ids}")


async def announce_viewers(viewers: Viewers) -> None:
    """Tell every wall how many sockets are open (the message carries the count)."""
    await _group_send(WALL_GROUP, {"type": VIEWERS_CHANGED, **viewers.as_message()})


def close_wall_link_sync(link_id: int) -> None:
    """Close every socket opened with this link, in every process (sockets re-check too)."""
    _send_sync(_group_send, wall_link_group(link_id), {"type": WALL_LINK_CLOSED},
               what=f"the closing of wall link {link_id}")


def announce_import_progress_sync(user_id: int, *, done: int, total: int) -> None:
    """Show an import's progress on the user's open dashboards."""
    message = {"type": IMPORT_PROGRESS, "done": int(done), "total": int(total)}
    _send_sync(_group_send, user_group(user_id), message,
               what=f"import progress for user {user_id}")


def announce_external_change_sync() -> None:
    """Tell the walls that external sources have new values (or went unavailable): to a
    wall it is a change like any other, recomputed once and shared (``live.wallcache``)."""
    _send_sync(_group_send, WALL_GROUP, wall_change_message(), what="an external sources change")
