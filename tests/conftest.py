from __future__ import annotations

import copy
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import connections
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


def _require(service: str, variable: str) -> str:
    """The service's URL from the environment, or a skip (a failure on CI) saying why."""
    url = os.environ.get(variable, "")
    if url:
        return url
    message = f"needs {service}: set {variable} (e.g. as .ci/run does)"
    if os.environ.get("CI_REQUIRE_SERVICES"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def redis_url() -> str:
    return _require("Redis", "REDIS_URL")


@pytest.fixture
def postgres_url() -> str:
    url = _require("PostgreSQL", "DATABASE_URL")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs PostgreSQL: DATABASE_URL is not a postgres:// URL")
    return url


@pytest.fixture(autouse=True)
async def _clean_slate() -> AsyncIterator[None]:
    """After each test: an empty channel layer (in-memory queues are loop-bound), and no
    database connection left open on asgiref's shared sync thread, where the test client
    and ``aforce_login`` leave theirs (it would block dropping the PostgreSQL test DB)."""
    yield
    layer = get_channel_layer()
    if layer is not None:
        await layer.flush()
    await sync_to_async(connections.close_all)()


@pytest.fixture(scope="session", autouse=True)
def _drop_stray_postgres_sessions(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """End other sessions on the PostgreSQL test database before it is dropped.

    Server subprocesses and worker threads of the tests hold connections that outlive the
    test that made them; PostgreSQL refuses to drop a database that is in use.
    """
    yield
    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def isolated_cache(settings):  # type: ignore[no-untyped-def]
    """Each test its own cache and presence namespace (never flush a shared Redis)."""
    caches = copy.deepcopy(settings.CACHES)
    prefix = f"test-{uuid.uuid4().hex}"
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    settings.PRESENCE_KEY_PREFIX = f"{prefix}:presence"
