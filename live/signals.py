"""Model signal receivers: after the write commits, announce it. Never renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from dashboard.models import Transaction, WallLink
from dashboard.signals import external_sources_changed, import_progress, transactions_changed
from dashboard.wall_history import history_changed
from dashboard.wall_selectors import day_start

from . import broadcast


class PendingAnnouncement:
    """The users changed inside one database transaction, announced once on commit."""

    def __init__(self) -> None:
        self.user_ids: set[int] = set()
        self.touches_history = False
        self.sent = False

    def flush(self) -> None:
        if not self.sent:
            self.sent = True
            if self.touches_history:
                # Before the announcement, so the walls' recompute recounts the history.
                history_changed()
            broadcast.announce_change_sync(self.user_ids)


def announce_on_commit(user_ids: Iterable[int], using: str | None = None,
                       earliest: dt.datetime | None = None) -> None:
    """Announce after the surrounding transaction commits; nothing if it rolls back.

    Every change registers its own on_commit callback (so none depends on another that a
    rollback may drop), but they share one ``PendingAnnouncement``: the first callback to
    run sends it, the rest find it sent. Saving 1,000 rows in one block sends one message
    per user, not 1,000. A rolled-back change may ride along with the next announcement:
    a spurious "changed" costs one recompute and shows the truth.

    ``earliest`` is the earliest moment the changes touch (``None``: unknown, as after a
    bulk write); before today, the walls' cached history is stale (``dashboard.wall_history``).
    """
    connection = transaction.get_connection(using)
    pending = getattr(connection, "live_pending_announcement", None)
    if pending is None or pending.sent:
        pending = PendingAnnouncement()
        connection.live_pending_announcement = pending
    pending.user_ids.update(user_ids)
    if earliest is None or earliest < day_start(timezone.now()):
        pending.touches_history = True
    transaction.on_commit(pending.flush, using=using, robust=True)


@receiver(post_save, sender=Transaction, dispatch_uid="live.transaction_saved")
def transaction_saved(sender: type[Transaction], instance: Transaction, **kwargs: Any) -> None:
    announce_on_commit(instance.affected_user_ids, using=kwargs.get("using"),
                       earliest=instance.earliest_affected_time)


@receiver(post_delete, sender=Transaction, dispatch_uid="live.transaction_deleted")
def transaction_deleted(sender: type[Transaction], instance: Transaction, **kwargs: Any) -> None:
    announce_on_commit(instance.affected_user_ids, using=kwargs.get("using"),
                       earliest=instance.earliest_affected_time)


@receiver(transactions_changed, dispatch_uid="live.transactions_changed")
def bulk_transactions_changed(sender: object, user_ids: Iterable[int], **kwargs: Any) -> None:
    announce_on_commit(user_ids, using=kwargs.get("using"))


def _close_wall_link_on_commit(link: WallLink, using: str | None) -> None:
    link_id = link.pk
    transaction.on_commit(lambda: broadcast.close_wall_link_sync(link_id), using=using,
                          robust=True)


@receiver(post_save, sender=WallLink, dispatch_uid="live.wall_link_saved")
def wall_link_saved(sender: type[WallLink], instance: WallLink, **kwargs: Any) -> None:
    """A revoked (or now expired) link closes its open walls once the change commits."""
    if instance.problem() is not None:
        _close_wall_link_on_commit(instance, kwargs.get("using"))


@receiver(post_delete, sender=WallLink, dispatch_uid="live.wall_link_deleted")
def wall_link_deleted(sender: type[WallLink], instance: WallLink, **kwargs: Any) -> None:
    _close_wall_link_on_commit(instance, kwargs.get("using"))


@receiver(import_progress, dispatch_uid="live.import_progress")
def import_progressed(sender: object, user_id: int, done: int, total: int, **kwargs: Any) -> None:
    # Progress is news about work under way, not about committed rows: sent at once.
    broadcast.announce_import_progress_sync(user_id, done=done, total=total)


@receiver(external_sources_changed, dispatch_uid="live.external_sources_changed")
def external_changed(sender: object, **kwargs: Any) -> None:
    transaction.on_commit(
        broadcast.announce_external_change_sync, using=kwargs.get("using"), robust=True
    )
