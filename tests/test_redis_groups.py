"""Group membership does not leak on the real Redis: sockets that come and go leave
nothing behind, for both channels-redis layers."""

from __future__ import annotations

import os

import pytest
import redis.asyncio as aioredis
from channels.db import database_sync_to_async

from .livetools import connect

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CYCLES = 300


def layer_config(kind: str, redis_url: str, prefix: str) -> dict:
    backend = {
        "core": "channels_redis.core.RedisChannelLayer",
        "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    }[kind]
    return {"default": {"BACKEND": backend,
                        "CONFIG": {"hosts": [redis_url], "prefix": prefix}}}


async def footprint(client: aioredis.Redis, prefix: str, group_channel: str) -> tuple[int, int]:
    """(keys under our prefix, subscribers of the group's pub/sub channel)."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    subscribers = dict(await client.pubsub_numsub(group_channel))[group_channel.encode()]
    return len(keys), subscribers


@pytest.mark.parametrize("kind", ["core", "pubsub"])
async def test_connect_disconnect_cycles_leave_no_groups(kind, redis_url, make_user, settings):
    prefix = f"leak{os.getpid()}{kind}"
    settings.CHANNEL_LAYERS = layer_config(kind, redis_url, prefix)
    user = await database_sync_to_async(make_user)()
    client = aioredis.from_url(redis_url)
    group_channel = f"{prefix}__group__user.{user.pk}"  # where pub/sub subscribes
    before = await footprint(client, prefix, group_channel)

    ws = await connect(user=user)
    assert (await ws.connect())[0]
    await ws.receive_from()
    during = await footprint(client, prefix, group_channel)
    await ws.disconnect()
    for _ in range(CYCLES):
        ws = await connect(user=user)
        assert (await ws.connect())[0]
        await ws.receive_from()
        await ws.disconnect()

    after = await footprint(client, prefix, group_channel)
    await client.aclose()
    assert during != before  # the measurement sees a member while one is connected
    assert after == before == (0, 0)
