"""Model signal receivers: after the write commits, announce it. Never renders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dashboard.models import Transaction
from dashboard.signals import external_sources_changed, import_progress, transactions_changed

from . import broadcast


class PendingAnnouncement:
    """The users changed inside one database transaction, announced once on commit."""

    def __init__(self) -> None:
        self.user_ids: set[int] = set()
        self.sent = False

    def flush(self) -> None:
        if not self.sent:
            self.sent = True
            broadcast.announce_change_sync(self.user_ids)


def announce_on_commit(user_ids: Iterable[int], using: str | None = None) -> None:
    """Announce after the surrounding transaction commits; nothing if it rolls back.

    Every change registers its own on_commit callback (so none depends on another that a
    rollback may drop), but they share one ``PendingAnnouncement``: the first callback to
    run sends it, the rest find it sent. Saving 1,000 rows in one block sends one message
    per user, not 1,000. A rolled-back change may ride along with the next announcement:
    a spurious "changed" costs one recompute and shows the truth.
    """
    connection = transaction.get_connection(using)
    pending = getattr(connection, "live_pending_announcement", None)
    if pending is None or pending.sent:
        pending = PendingAnnouncement()
        connection.live_pending_announcement = pending
    pending.user_ids.update(user_ids)
    transaction.on_commit(pending.flush, using=using, robust=True)


@receiver(post_save, sender=Transaction, dispatch_uid="live.transaction_saved")
def transaction_saved(sender: type[Transaction], instance: Transaction, **kwargs: Any) -> None:
    announce_on_commit(instance.affected_user_ids, using=kwargs.get("using"))


@receiver(post_delete, sender=Transaction, dispatch_uid="live.transaction_deleted")
def transaction_deleted(sender: type[Transaction], instance: Transaction, **kwargs: Any) -> None:
    announce_on_commit(instance.affected_user_ids, using=kwargs.get("using"))


@receiver(transactions_changed, dispatch_uid="live.transactions_changed")
def bulk_transactions_changed(sender: object, user_ids: Iterable[int], **kwargs: Any) -> None:
    announce_on_commit(user_ids, using=kwargs.get("using"))


@receiver(import_progress, dispatch_uid="live.import_progress")
def import_progressed(sender: object, user_id: int, done: int, total: int, **kwargs: Any) -> None:
    # Progress is news about work under way, not about committed rows: sent at once.
    broadcast.announce_import_progress_sync(user_id, done=done, total=total)


@receiver(external_sources_changed, dispatch_uid="live.external_sources_changed")
def external_changed(sender: object, **kwargs: Any) -> None:
    transaction.on_commit(
        broadcast.announce_external_change_sync, using=kwargs.get("using"), robust=True
    )
