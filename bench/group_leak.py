"""Group leak benchmark: 10,000 real WebSocket connect/disconnect cycles against two daphne
processes on each Redis layer, and what they leave behind in Redis.

    .venv/bin/python bench/group_leak.py [--cycles 10000] [--concurrency 50]

Counts, before, during and after: the group keys under the run's prefix (core layer: a
sorted set per group), other keys (the core layer's per-process message queues), the
subscriptions to group channels (pub/sub layer) and to sockets' own channels (pub/sub).
Prints a table and writes bench/results/group_leak_c<concurrency>.json. Not run by ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import redis.asyncio as aioredis
from common import (
    DEFAULT_REDIS_URL,
    PASSWORD,
    USERNAME,
    print_table,
    start_servers,
    write_results,
)
from websockets.asyncio.client import connect

from tests.servers import log_in

SETTLE_SECS = 30  # how long disconnects may take to be cleaned up before "after" is read


async def footprint(client: aioredis.Redis, prefix: str) -> dict[str, int]:
    keys = [key.decode() async for key in client.scan_iter(match=f"{prefix}*")]
    channels = [c.decode() for c in await client.pubsub_channels(f"{prefix}*")]
    counts = dict(await client.pubsub_numsub(*channels)) if channels else {}
    group_subs = sum(n for c, n in counts.items() if b"__group__" in c)
    return {
        "group_keys": sum(":group:" in key for key in keys),
        "other_keys": sum(":group:" not in key for key in keys),
        "group_subs": group_subs,
        "socket_subs": sum(counts.values()) - group_subs,
    }


async def cycle(servers, cookie: str, cycles: int, concurrency: int) -> int:  # type: ignore[no-untyped-def]
    done = 0
    semaphore = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        nonlocal done
        server = servers[n % len(servers)]
        async with semaphore:
            async with connect(f"{server.ws_url}/ws/dashboard/", open_timeout=60,
                               additional_headers={"Cookie": cookie,
                                                   "Origin": server.base_url}) as socket:
                await socket.recv()  # the snapshot: fully connected, groups joined
            done += 1

    await asyncio.gather(*(one(n) for n in range(cycles)))
    return done


async def run_layer(layer: str, args: argparse.Namespace) -> dict:
    prefix = f"leak{os.getpid()}{layer}"
    client = aioredis.from_url(args.redis_url)
    with tempfile.TemporaryDirectory(prefix=f"leak-{layer}-") as tmp:
        servers = start_servers(layer, Path(tmp), args.redis_url, prefix)
        try:
            cookie = log_in(servers[0].base_url, USERNAME, PASSWORD)
            before = await footprint(client, prefix)
            held = [await connect(f"{s.ws_url}/ws/dashboard/",
                                  additional_headers={"Cookie": cookie, "Origin": s.base_url})
                    for s in servers]
            await asyncio.gather(*(s.recv() for s in held))
            during = await footprint(client, prefix)
            await asyncio.gather(*(s.close() for s in held))
            started = time.monotonic()
            done = await cycle(servers, cookie, args.cycles, args.concurrency)
            elapsed = time.monotonic() - started
            # Disconnects are handled after the close handshake; give the servers time
            # to finish them (bounded), then measure.
            deadline = time.monotonic() + SETTLE_SECS
            while (after := await footprint(client, prefix)) != before:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.5)
            # Sockets that daphne gave up on: their application did not finish closing
            # within its application_close_timeout (10 s) and was cancelled mid-cleanup.
            killed = sum(server.log_tail(10**7).count("took too long to shut down")
                         for server in servers)
        finally:
            for server in servers:
                server.stop()
    await client.aclose()
    row = {"layer": layer, "cycles": done, "secs": round(elapsed, 1),
           "cycles_per_sec": round(done / elapsed), "killed_by_daphne": killed}
    for moment, counts in (("before", before), ("during", during), ("after", after)):
        row.update({f"{name}_{moment}": value for name, value in counts.items()})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--layers", nargs="+", choices=["core", "pubsub"],
                        default=["core", "pubsub"])
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    rows = [asyncio.run(run_layer(layer, args)) for layer in args.layers]
    print_table(rows, list(rows[0]))
    write_results(f"group_leak_c{args.concurrency}",
                  {"concurrency": args.concurrency, "rows": rows})


if __name__ == "__main__":
    main()
