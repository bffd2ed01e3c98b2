"""Who is watching: the number of open dashboard and wall sockets, exact across processes.

One interface, two stores:

- ``LocalPresence`` counts this process's sockets. With the in-memory channel layer there is
  only one process, so its count is the whole count.
- ``RedisPresence`` (when ``REDIS_URL`` is set) keeps each process's counts in a Redis hash,
  listed in a sorted set scored by an expiry deadline. Each write sends the process's
  *absolute* counts (idempotent, so a retry or a refresh cannot double-count), and a
  process that dies without saying goodbye drops out when its deadline passes: its owner
  refreshes it every ``ttl / 3`` seconds while it has sockets (``live.viewers``). Reading
  the total, pruning the dead and numbering the reading happen in one Lua script, so every
  reading is consistent and a larger ``seq`` is always a later reading.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from django.conf import settings

from .perloop import PerLoop

Kind = Literal["dashboards", "walls"]
KINDS: tuple[Kind, ...] = ("dashboards", "walls")


@dataclass(frozen=True)
class Viewers:
    """A reading of the open sockets; ``seq`` orders readings (larger is later)."""

    dashboards: int
    walls: int
    seq: int

    @property
    def total(self) -> int:
        return self.dashboards + self.walls

    def as_message(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Viewers:
        return cls(dashboards=int(message["dashboards"]), walls=int(message["walls"]),
                   seq=int(message["seq"]))


class Presence(Protocol):
    expires: bool  # True: ``refresh()`` must run every ``ttl_secs / 3`` while sockets are open
    ttl_secs: float

    def local_total(self) -> int: ...
    async def join(self, kind: Kind) -> Viewers: ...
    async def leave(self, kind: Kind) -> Viewers: ...
    async def count(self) -> Viewers: ...
    async def refresh(self) -> Viewers: ...


class LocalPresence:
    """This process's sockets, counted in memory."""

    expires = False
    ttl_secs = 0.0

    def __init__(self) -> None:
        self._counts = dict.fromkeys(KINDS, 0)
        self._seq = 0

    def local_total(self) -> int:
        return sum(self._counts.values())

    async def join(self, kind: Kind) -> Viewers:
        self._counts[kind] += 1
        return await self.count()

    async def leave(self, kind: Kind) -> Viewers:
        self._counts[kind] = max(0, self._counts[kind] - 1)
        return await self.count()

    async def count(self) -> Viewers:
        self._seq += 1
        return Viewers(seq=self._seq, **self._counts)

    refresh = count


# KEYS: the process set, the sequence. ARGV: key prefix, process id, ttl, then this
# process's dashboards and walls ("" to only read).
_SCRIPT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local procs, seq = KEYS[1], KEYS[2]
local prefix, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
if ARGV[4] ~= '' then
  local mine = prefix .. ':proc:' .. me
  if tonumber(ARGV[4]) + tonumber(ARGV[5]) > 0 then
    redis.call('HSET', mine, 'dashboards', ARGV[4], 'walls', ARGV[5])
    redis.call('EXPIRE', mine, math.ceil(ttl * 2))
    redis.call('ZADD', procs, t + ttl, me)
  else
    redis.call('DEL', mine)
    redis.call('ZREM', procs, me)
  end
end
for _, p in ipairs(redis.call('ZRANGEBYSCORE', procs, '-inf', t)) do
  redis.call('DEL', prefix .. ':proc:' .. p)
end
redis.call('ZREMRANGEBYSCORE', procs, '-inf', t)
local d, w = 0, 0
for _, p in ipairs(redis.call('ZRANGE', procs, 0, -1)) do
  local v = redis.call('HMGET', prefix .. ':proc:' .. p, 'dashboards', 'walls')
  d = d + (tonumber(v[1]) or 0)
  w = w + (tonumber(v[2]) or 0)
end
return {d, w, redis.call('INCR', seq)}
"""


class RedisPresence:
    """Every process's sockets, summed in Redis; dead processes expire after ``ttl_secs``.

    The script reads per-process keys it builds itself, so it needs one Redis, not a
    cluster (keys are not declared up front).
    """

    expires = True

    def __init__(self, client: Any, *, prefix: str = "presence", ttl_secs: float = 30.0,
                 process_id: str | None = None) -> None:
        self._client = client
        self._prefix = prefix
        self.ttl_secs = ttl_secs
        self.process_id = process_id or uuid.uuid4().hex
        self._counts = dict.fromkeys(KINDS, 0)
        # Writes go out one at a time, each with the counts as they are when it is sent,
        # so the last write Redis sees always carries this process's latest counts.
        self._lock = asyncio.Lock()
        self._script = client.register_script(_SCRIPT)

    def local_total(self) -> int:
        return sum(self._counts.values())

    async def _run(self, write: bool) -> Viewers:
        async with self._lock:
            args = [self._prefix, self.process_id, self.ttl_secs]
            args += [self._counts["dashboards"], self._counts["walls"]] if write else ["", ""]
            dashboards, walls, seq = await self._script(
                keys=[f"{self._prefix}:procs", f"{self._prefix}:seq"], args=args
            )
        return Viewers(dashboards=int(dashboards), walls=int(walls), seq=int(seq))

    async def join(self, kind: Kind) -> Viewers:
        self._counts[kind] += 1
        return await self._run(write=True)

    async def leave(self, kind: Kind) -> Viewers:
        self._counts[kind] = max(0, self._counts[kind] - 1)
        return await self._run(write=True)

    async def count(self) -> Viewers:
        return await self._run(write=False)

    async def refresh(self) -> Viewers:
        """Push this process's deadline forward (and re-create its entry if it expired)."""
        return await self._run(write=True)

    async def aclose(self) -> None:
        await self._client.aclose()


def _make_presence() -> Presence:
    if settings.REDIS_URL:
        import redis.asyncio as aioredis

        return RedisPresence(
            aioredis.Redis.from_url(settings.REDIS_URL),
            prefix=settings.PRESENCE_KEY_PREFIX, ttl_secs=settings.PRESENCE_TTL_SECS,
        )
    return LocalPresence()


_presence: PerLoop[Presence] = PerLoop(_make_presence)


def get_presence() -> Presence:
    """This process's (this event loop's) presence store."""
    return _presence.get()
