"""Test settings: the project's own, made faster. Services still come from the environment
(``DATABASE_URL``, ``REDIS_URL``), so CI runs the same suite on PostgreSQL and Redis."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from dashboard.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: recomputes read on other threads while tests
    # write, and shared-cache SQLite fails such readers with "table is locked".
    import tempfile

    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"dashboard-tests-{os.getpid()}.sqlite3")
    }
