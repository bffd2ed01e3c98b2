"""The write side: keyword-only, atomic, validated. Announcing changes is not done here:
model signals (and ``dashboard.signals.transactions_changed`` for bulk work) carry that."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction as db_transaction
from django.utils import timezone

from .inputs import TransactionInput
from .models import ApiToken, ExternalSource, Transaction, WallLink
from .signals import external_sources_changed, transactions_changed
from .tokens import token_generate, token_hash, token_shown_prefix

if TYPE_CHECKING:
    from . import external

# 32 random bytes: 43 URL-safe characters, 256 bits to guess.
WALL_TOKEN_BYTES = 32

ProgressCallback = Callable[[int, int], None]

# Rows per INSERT statement; Django lowers it where a backend caps query parameters.
BULK_BATCH_ROWS = 1000
# Rows written between two progress reports of an import.
IMPORT_CHUNK_ROWS = 5000
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@db_transaction.atomic
def transaction_create(
    *,
    user: AbstractBaseUser,
    amount: Decimal,
    description: str = "",
    category: str = "",
    created_at: dt.datetime | None = None,
) -> Transaction:
    """Validate and save one transaction; raises ``ValidationError`` and saves nothing."""
    txn = Transaction(
        user=user,
        amount=amount,
        description=description,
        category=category,
        created_at=created_at or timezone.now(),
    )
    txn.full_clean()
    txn.save()
    return txn


@db_transaction.atomic
def transaction_update(*, txn: Transaction, **fields: object) -> Transaction:
    """Change the given fields of a transaction, validated as on create."""
    for name, value in fields.items():
        setattr(txn, name, value)
    txn.full_clean()
    txn.save()
    return txn


@db_transaction.atomic
def transaction_delete(*, txn: Transaction) -> None:
    txn.delete()


@db_transaction.atomic
def wall_link_create(
    *, name: str, created_by: AbstractBaseUser | None = None, expires_at: dt.datetime | None = None
) -> tuple[WallLink, str]:
    """Create a wall link; returns it with its raw token, which is stored nowhere."""
    token = secrets.token_urlsafe(WALL_TOKEN_BYTES)
    link = WallLink(
        name=name, token_hash=WallLink.hash_token(token), created_by=created_by,
        expires_at=expires_at,
    )
    link.full_clean()
    link.save()
    return link, token


@db_transaction.atomic
def wall_link_revoke(*, link: WallLink) -> WallLink:
    """Revoke a wall link; its open screens are closed once this commits (live.signals)."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
def _new_row(user: AbstractBaseUser, item: TransactionInput, now: dt.datetime) -> Transaction:
    return Transaction(
        user=user,
        amount=item.amount,
        description=item.description,
        category=item.category,
        created_at=item.created_at or now,
        external_id=item.external_id or None,
    )


@db_transaction.atomic
def transactions_create_many(
    *, user: AbstractBaseUser, items: Sequence[TransactionInput]
) -> list[Transaction]:
    """Save checked inputs in one statement batch and announce them once, after commit."""
    now = timezone.now()
    rows = Transaction.objects.bulk_create(
        [_new_row(user, item, now) for item in items], batch_size=BULK_BATCH_ROWS
    )
    if rows:
        transactions_changed.send(sender=Transaction, user_ids={user.pk})
    return rows


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: int


@db_transaction.atomic
def transactions_import(
    *,
    user: AbstractBaseUser,
    items: Sequence[TransactionInput],
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Add the items not imported before (by ``external_id``), all or nothing, announced once.

    The unique index on (user, external_id) does the skipping (``ON CONFLICT DO NOTHING``
    / ``INSERT OR IGNORE``): no lookups, and two imports racing cannot both add a row.
    Rows added = rows counted after - before, inside the same transaction.
    ``progress(done, total)`` is called as chunks are written, for progress bars.
    """
    if any(not item.external_id for item in items):
        raise ValueError("every imported item needs an external_id")
    mine = Transaction.objects.filter(user=user)
    before = mine.count()
    report = progress or (lambda done, total: None)
    now = timezone.now()
    for start in range(0, len(items), IMPORT_CHUNK_ROWS):
        chunk = items[start : start + IMPORT_CHUNK_ROWS]
        Transaction.objects.bulk_create(
            [_new_row(user, item, now) for item in chunk],
            batch_size=BULK_BATCH_ROWS,
            ignore_conflicts=True,
        )
        report(start + len(chunk), len(items))
    added = mine.count() - before
    if added:
        transactions_changed.send(sender=Transaction, user_ids={user.pk})
    return ImportResult(added=added, skipped=len(items) - added)


def token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the raw secret, which is never stored."""
    raw = token_generate()
    token = ApiToken(user=user, name=name, key_hash=token_hash(raw), prefix=token_shown_prefix(raw))
    token.full_clean()
    token.save()
    return token, raw


def token_revoke(*, user: AbstractBaseUser, token_id: int) -> bool:
    """Delete one of ``user``'s tokens; False if they have no such token."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    return bool(deleted)


def token_authenticate(*, raw: str) -> AbstractBaseUser | None:
    """The active owner of a raw token, or None; records when the token was last used."""
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        # At most one write per token a minute, not one per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@db_transaction.atomic
def external_sources_record(*, outcomes: Sequence[external.FetchOutcome]) -> None:
    """Store fetched values and failures; a failing source keeps the time it first failed."""
    for outcome in outcomes:
        sources = ExternalSource.objects.filter(pk=outcome.source_id)
        if outcome.value is not None:
            sources.update(
                value=outcome.value, fetched_at=outcome.at, last_attempt_at=outcome.at,
                unavailable_since=None, last_error="",
            )
        else:
            sources.update(last_attempt_at=outcome.at, last_error=outcome.error[:300])
            sources.filter(unavailable_since__isnull=True).update(unavailable_since=outcome.at)
    external_sources_changed.send(sender=ExternalSource)
