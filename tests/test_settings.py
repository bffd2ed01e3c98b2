"""Settings come from the environment; checked in a fresh interpreter each time."""

import json
import subprocess
import sys

import pytest

from tests.servers import REPO_ROOT, server_env

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "layer": settings.CHANNEL_LAYERS["default"],
    "db": {k: settings.DATABASES["default"][k] for k in ("ENGINE", "NAME", "CONN_MAX_AGE")},
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
}))
"""


def load(**env: str | None) -> subprocess.CompletedProcess[str]:
    base = {"DATABASE_URL": None, "REDIS_URL": None, "CHANNEL_LAYER": None, "DEBUG": None,
            "SECRET_KEY": "x", "ALLOWED_HOSTS": None}
    base.update(env)
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=REPO_ROOT,
                          env=server_env(**base), capture_output=True, text=True)


def settings_for(**env: str | None) -> dict:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_settings_embedded_defaults_sqlite_and_in_memory_layer():
    loaded = settings_for()
    assert loaded["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["layer"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["debug"] is False
    assert loaded["options"]["init_command"].startswith("PRAGMA journal_mode=WAL")


def test_settings_refuse_to_start_without_secret_key_when_not_debug():
    result = load(SECRET_KEY=None)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_debug_runs_without_secret_key():
    assert settings_for(SECRET_KEY=None, DEBUG="1")["debug"] is True


def test_settings_postgres_url_uses_pool_without_persistent_connections():
    loaded = settings_for(DATABASE_URL="postgres://app@db.example:5432/money")
    assert loaded["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert loaded["db"]["NAME"] == "money"
    assert loaded["db"]["CONN_MAX_AGE"] == 0
    assert loaded["options"]["pool"]["max_size"] == 16


def test_settings_redis_url_defaults_to_pubsub_layer_with_shards():
    loaded = settings_for(REDIS_URL="redis://a:6379/0, redis://b:6379/0")
    assert loaded["layer"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert [h["address"] for h in loaded["layer"]["CONFIG"]["hosts"]] == [
        "redis://a:6379/0", "redis://b:6379/0"
    ]


def test_settings_core_layer_selectable():
    loaded = settings_for(REDIS_URL="redis://a:6379/0", CHANNEL_LAYER="core")
    assert loaded["layer"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


def test_settings_unknown_layer_is_refused():
    result = load(REDIS_URL="redis://a:6379/0", CHANNEL_LAYER="kafka")
    assert result.returncode != 0 and "CHANNEL_LAYER must be" in result.stderr


@pytest.mark.parametrize(("value", "hosts"), [("example.com, api.example.com",
                                               ["example.com", "api.example.com"])])
def test_settings_allowed_hosts_from_environment(value, hosts):
    assert settings_for(ALLOWED_HOSTS=value)["hosts"] == hosts
