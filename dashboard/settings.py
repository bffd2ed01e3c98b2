"""Settings, read from the environment with safe defaults.

With nothing set the app runs embedded: SQLite and the in-memory channel layer, in one
process. ``DATABASE_URL`` and ``REDIS_URL`` move it onto PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "dashboard",
    "live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
ASGI_APPLICATION = "dashboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under daphne the ORM runs on many short-lived hops (database_sync_to_async, each
    # closing its connection at the end). Django 5.2's psycopg pool turns each of those
    # closes into a cheap return to the pool instead of a new PostgreSQL backend, and
    # bounds the connections a process holds. Pooling requires CONN_MAX_AGE = 0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "16")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT_SECS", "10")),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers (recomputes on the thread pool) and a writer at the same time: WAL lets
    # them proceed together; IMMEDIATE write transactions wait for the lock (timeout)
    # instead of failing with "database is locked" halfway through.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
# "pubsub" or "core": which channels-redis layer carries messages between processes.
# bench/fanout.py (README): equal medians; pub/sub has the shorter tail at 1,000 sockets
# (p99 323 vs 425 ms per user, 462 vs 689 ms for walls) and more frames per second.
CHANNEL_LAYER_KIND = os.environ.get("CHANNEL_LAYER", "pubsub")
# Every process of one deployment must share the prefix; separate deployments (or test
# runs) on one Redis use different ones.
CHANNEL_LAYER_PREFIX = os.environ.get("CHANNEL_LAYER_PREFIX", "asgi")
if REDIS_URL:
    _redis_hosts = [
        {
            "address": url,
            # redis-py caps a pool at 100 connections; a connect storm needs more.
            "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")),
            # redis-py 8 reads with a 5 s socket timeout, the same as the core layer's
            # 5 s blocking pop: under load the read times out first and the consumer dies
            # with 1011 (redis/redis-py#4091). Keep a bound, but above the pop's.
            "socket_timeout": float(os.environ.get("REDIS_SOCKET_TIMEOUT_SECS", "15")),
        }
        for url in env_list("REDIS_URL", "")
    ]
    if CHANNEL_LAYER_KIND == "core":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": _redis_hosts,
                    "prefix": CHANNEL_LAYER_PREFIX,
                    "capacity": 1000,
                    "expiry": 30,
                },
            }
        }
    elif CHANNEL_LAYER_KIND == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": _redis_hosts, "prefix": CHANNEL_LAYER_PREFIX},
            }
        }
    else:
        raise ImproperlyConfigured(
            f"CHANNEL_LAYER must be 'pubsub' or 'core', not {CHANNEL_LAYER_KIND!r}"
        )
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The wall's rendered frames and cached history are shared through the cache: Redis when
# there is one (every process reuses one recompute), this process' memory otherwise.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_list("REDIS_URL", "")[0],
            "KEY_PREFIX": "dashboard",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# How long a consumer waits after a change before recomputing, so that a burst of
# writes costs one recompute per window (trailing edge: the last state is always sent).
LIVE_COALESCE_WINDOW_SECS = float(os.environ.get("LIVE_COALESCE_WINDOW_SECS", "0.1"))
# Incoming WebSocket text frames larger than this are refused (daphne's own cap is 1 MiB).
LIVE_MAX_INCOMING_FRAME_BYTES = 4096
# Each external source gets this long to answer; a slower one shows "unavailable since".
EXTERNAL_FETCH_TIMEOUT_SECS = float(os.environ.get("EXTERNAL_FETCH_TIMEOUT_SECS", "5"))

# The operators' wall (/wall/). Names of people on the wall only when an operator says so.
WALL_SHOW_NAMES = env_bool("WALL_SHOW_NAMES", False)
# Every wall socket hears from the server at least this often, so a quiet night is not
# mistaken for a dead connection...
WALL_HEARTBEAT_SECS = float(os.environ.get("WALL_HEARTBEAT_SECS", "10"))
# ...and a wall that heard nothing for this long dims and says it is stale.
WALL_STALE_AFTER_SECS = float(os.environ.get("WALL_STALE_AFTER_SECS", "30"))
# A socket opened with a wall link re-reads the link this often (revocation is also pushed
# at once; this heals a lost message).
WALL_LINK_RECHECK_SECS = float(os.environ.get("WALL_LINK_RECHECK_SECS", "30"))
# How long a rendered wall frame stays in the cache (a new change or minute makes a new key).
WALL_FRAME_TTL_SECS = 300
# Viewer counts across processes (Redis only): a process that died without saying goodbye
# stops counting after this long.
PRESENCE_TTL_SECS = float(os.environ.get("PRESENCE_TTL_SECS", "30"))
PRESENCE_KEY_PREFIX = "dashboard:presence"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "live": {"handlers": ["console"], "level": os.environ.get("LIVE_LOG_LEVEL", "INFO")},
        "dashboard": {"handlers": ["console"], "level": "INFO"},
    },
}
