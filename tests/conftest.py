from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dashboard.models import Transaction

User = get_user_model()


@pytest.fixture
def make_user(db) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    counter = iter(range(1, 10_000))

    def make(username: str | None = None, **extra: object) -> object:
        return User.objects.create_user(
            username=username or f"user{next(counter)}", password="pw-for-tests", **extra
        )

    return make


@pytest.fixture
def make_txn(db) -> Callable[..., Transaction]:  # type: ignore[no-untyped-def]
    def make(user: object, amount: str | Decimal, *, when: dt.datetime | None = None,
             description: str = "", category: str = "") -> Transaction:
        return Transaction.objects.create(
            user=user, amount=Decimal(amount), description=description, category=category,
            created_at=when or timezone.now(),
        )

    return make


@pytest.fixture(autouse=True)
def isolated_cache(settings):  # type: ignore[no-untyped-def]
    """Each test its own cache and presence namespace (never flush a shared Redis)."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    settings.PRESENCE_KEY_PREFIX = f"{prefix}:presence"
