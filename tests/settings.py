"""Test settings: the project's own, made faster. Services still come from the environment
(``DATABASE_URL``, ``REDIS_URL``), so CI runs the same suite on PostgreSQL and Redis."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# Our own corner of a shared Redis; server subprocesses inherit it from the environment.
os.environ.setdefault("CHANNEL_LAYER_PREFIX", f"test{os.getpid()}")

from dashboard.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: recomputes read on other threads while tests
    # write, and shared-cache SQLite fails such readers with "table is locked".
    import tempfile

    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"dashboard-tests-{os.getpid()}.sqlite3")
    }

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No pool in tests: each test-client hop may leave a connection checked out on a
    # worker thread, and a pool keeps the test database busy until the end (so it could
    # not be dropped). Without it, closing really closes.
    DATABASES["default"]["OPTIONS"].pop("pool", None)
