"""The write side: keyword-only, atomic, validated. Announcing changes is not done here:
model signals (and ``dashboard.signals.transactions_changed`` for bulk work) carry that."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction as db_transaction
from django.utils import timezone

from .models import Transaction


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
