"""The only module that talks to the channel layer: group names, the change message, sending."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# Handled by ``consumer.summary_changed``. It carries no figures: a consumer reads the
# current state itself, so a lost or late message is healed by the next one.
SUMMARY_CHANGED = "summary.changed"


def user_group(user_id: int) -> str:
    """The group of one user's dashboards; built from the server-side identity only."""
    return f"user.{int(user_id)}"


IMPORT_PROGRESS = "import.progress"
EXTERNAL_CHANGED = "external.changed"
WALL_GROUP = "wall"


def change_message() -> dict[str, str]:
    return {"type": SUMMARY_CHANGED}


async def announce_change(user_ids: Iterable[int]) -> None:
    """Tell every open dashboard of these users that their figures changed."""
    layer = get_channel_layer()
    if layer is None:
        return
    for user_id in sorted(set(user_ids)):
        await layer.group_send(user_group(user_id), change_message())


def announce_change_sync(user_ids: Iterable[int]) -> None:
    """``announce_change`` for sync code (on_commit callbacks, commands)."""
    try:
        async_to_sync(announce_change)(list(user_ids))
    except Exception:
        # A failed announcement must never break the write that triggered it: screens
        # heal on the next change or reconnect, which always starts with a snapshot.
        logger.exception("Could not announce a change for users %s", sorted(set(user_ids)))


def announce_import_progress_sync(user_id: int, *, done: int, total: int) -> None:
    """Show an import's progress on the user's open dashboards (sync code only)."""
    message = {"type": IMPORT_PROGRESS, "done": int(done), "total": int(total)}
    try:
        async_to_sync(_group_send)(user_group(user_id), message)
    except Exception:
        logger.exception("Could not report import progress for user %s", user_id)


async def announce_external_change() -> None:
    """Tell the wall that external sources have new values (or went unavailable)."""
    await _group_send(WALL_GROUP, {"type": EXTERNAL_CHANGED})


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
