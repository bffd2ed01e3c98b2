"""The write side: keyword-only, atomic, validated. Announcing changes is not done here:
model signals (and ``dashboard.signals.transactions_changed`` for bulk work) carry that."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction as db_transaction
from django.utils import timezone

from .models import Transaction, WallLink

# 32 random bytes: 43 URL-safe characters, 256 bits to guess.
WALL_TOKEN_BYTES = 32


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
