"""Viewer counting: the local store, and the Redis store across (simulated) processes."""

import asyncio
import uuid

import pytest

from live.presence import LocalPresence, RedisPresence, Viewers


async def test_local_presence_counts_joins_and_leaves():
    presence = LocalPresence()
    assert await presence.join("walls") == Viewers(dashboards=0, walls=1, seq=1)
    assert await presence.join("dashboards") == Viewers(dashboards=1, walls=1, seq=2)
    assert (await presence.leave("walls")).total == 1
    assert (await presence.leave("walls")).walls == 0  # never negative
    assert presence.local_total() == 1


def test_viewers_round_trip_through_a_message():
    viewers = Viewers(dashboards=3, walls=2, seq=9)
    assert Viewers.from_message({"type": "viewers.changed", **viewers.as_message()}) == viewers
    assert viewers.total == 5


@pytest.fixture
async def redis_presences(redis_url):
    """Two 'processes' sharing one Redis namespace (unique per test)."""
    import redis.asyncio as aioredis

    prefix = f"test-presence-{uuid.uuid4().hex}"
    made = []

    def make(ttl_secs: float = 30.0) -> RedisPresence:
        presence = RedisPresence(aioredis.Redis.from_url(redis_url), prefix=prefix,
                                 ttl_secs=ttl_secs)
        made.append(presence)
        return presence

    yield make
    client = aioredis.Redis.from_url(redis_url)
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    for presence in made:
        await presence.aclose()


@pytest.mark.redis
async def test_redis_presence_sums_every_process(redis_presences):
    one, two = redis_presences(), redis_presences()
    await one.join("walls")
    await two.join("dashboards")
    reading = await two.join("walls")
    assert (reading.dashboards, reading.walls) == (1, 2)
    assert (await one.leave("walls")).walls == 1
    later = await one.count()
    assert (later.dashboards, later.walls) == (1, 1) and later.seq > reading.seq


@pytest.mark.redis
async def test_redis_presence_concurrent_joins_are_exact(redis_presences):
    one, two = redis_presences(), redis_presences()
    await asyncio.gather(*[p.join("walls") for p in (one, two) for _ in range(50)])
    assert (await one.count()).walls == 100
    await asyncio.gather(*[p.leave("walls") for p in (one, two) for _ in range(50)])
    assert (await two.count()).walls == 0


@pytest.mark.redis
async def test_redis_presence_forgets_a_dead_process(redis_presences):
    alive, dead = redis_presences(ttl_secs=30), redis_presences(ttl_secs=0.2)
    await alive.join("walls")
    await dead.join("walls")
    assert (await alive.count()).walls == 2
    await asyncio.sleep(0.3)  # the dead process never refreshes; its deadline passes
    assert (await alive.count()).walls == 1
    await dead.refresh()  # a process that was only slow comes back with its real counts
    assert (await alive.count()).walls == 2
