"""Fan-out benchmark: save-to-frame latency and delivery rate for 1, 100 and 1,000 sockets.

For each channel layer — in-memory (one daphne process), channels-redis core and pub/sub
(two daphne processes; clients alternate between them) — real WebSocket clients in a
separate OS process watch either one user's dashboard group (``user``: N dashboards of
the same user) or the wall broadcast group (``wall``: N walls opened with a wall link).
The main process saves a transaction through the real form (HTTP POST to the first
server) and the client process timestamps the frame that shows it on every socket.

    .venv/bin/python bench/fanout.py                 # both groups, all layers, 1/100/1000
    .venv/bin/python bench/fanout.py --sockets 1 100 --layers pubsub --groups wall --saves 10

Needs Redis at REDIS_URL (default redis://127.0.0.1:6379/0) for the Redis layers. Prints
a table and writes bench/results/fanout.json. Not run by ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import tempfile
import time
from pathlib import Path

from common import (
    DEFAULT_REDIS_URL,
    LAYER_PROCESSES,
    PASSWORD,
    USERNAME,
    print_table,
    start_servers,
    write_results,
)

from tests.servers import DaphneServer, log_in, post_transaction

# What shows the transaction count in each group's frames.
COUNT_PATTERNS = {
    "user": r'data-figure="count"[^>]*>.*?class="figure-value">([^<]*)<',
    "wall": r'data-figure="all-count"[^>]*>.*?class="tile-value">([^<]*)<',
}


async def hold_sockets(urls: list[str], cookie: str, origin: str, pattern: str,
                       commands: mp.Queue, results: mp.Queue) -> None:
    from websockets.asyncio.client import connect

    sockets = [
        await connect(url, additional_headers={"Cookie": cookie, "Origin": origin},
                      max_size=2**22, open_timeout=60)
        for url in urls
    ]
    await asyncio.gather(*(s.recv() for s in sockets))  # the snapshots
    results.put(("ready", len(sockets)))
    loop = asyncio.get_running_loop()

    count_re = re.compile(pattern, re.S)

    async def frame_showing(socket, expected: str) -> float:  # type: ignore[no-untyped-def]
        while True:
            match = count_re.search(await socket.recv())
            if match and match.group(1).replace(",", "") == expected:
                return time.time()

    while (command := await loop.run_in_executor(None, commands.get)) is not None:
        stamps = await asyncio.wait_for(
            asyncio.gather(*(frame_showing(s, str(command)) for s in sockets)), 120
        )
        results.put(("frames", stamps))
    await asyncio.gather(*(s.close() for s in sockets))


def client_process(*args: object) -> None:
    """Hold the sockets; for each "expect N" command, time the frames showing count N."""
    asyncio.run(hold_sockets(*args))  # type: ignore[arg-type]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_case(servers: list[DaphneServer], cookie: str, group: str, path: str, sockets: int,
             saves: int, start_count: int) -> dict:
    urls = [f"{servers[i % len(servers)].ws_url}{path}" for i in range(sockets)]
    spawn = mp.get_context("spawn")
    commands: mp.Queue = spawn.Queue()
    results: mp.Queue = spawn.Queue()
    client = spawn.Process(
        target=client_process,
        args=(urls, cookie, servers[0].base_url, COUNT_PATTERNS[group], commands, results),
    )
    client.start()
    kind, _ = results.get(timeout=300)
    assert kind == "ready"
    latencies, spans = [], []
    for n in range(1, saves + 1):
        commands.put(start_count + n)
        saved_at = time.time()
        post_transaction(servers[0].base_url, cookie, {"amount": "1.00", "description": "bench"})
        kind, stamps = results.get(timeout=300)
        latencies += [(stamp - saved_at) * 1000 for stamp in stamps]
        spans.append(max(stamps) - saved_at)
    commands.put(None)
    client.join(timeout=60)
    return {
        "sockets": sockets,
        "saves": saves,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        # Frames delivered per second while a save fans out (until the last socket's).
        "frames_per_sec": round(sockets * saves / sum(spans)),
    }


def wall_link_path(server: DaphneServer) -> str:
    """A new wall link's socket path (the link's URL is printed once, on creation)."""
    url = server.manage("wall_link", "--name", "bench").strip().splitlines()[-1]
    return "/ws" + url.split("127.0.0.1:8000", 1)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--layers", nargs="+", choices=list(LAYER_PROCESSES),
                        default=list(LAYER_PROCESSES))
    parser.add_argument("--groups", nargs="+", choices=list(COUNT_PATTERNS),
                        default=list(COUNT_PATTERNS))
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()

    rows = []
    for layer in args.layers:
        with tempfile.TemporaryDirectory(prefix=f"fanout-{layer}-") as tmp:
            servers = start_servers(layer, Path(tmp), args.redis_url, f"fanout{os.getpid()}")
            try:
                cookie = log_in(servers[0].base_url, USERNAME, PASSWORD)
                paths = {"user": "/ws/dashboard/", "wall": wall_link_path(servers[0])}
                saved = 0
                for group in args.groups:
                    for sockets in args.sockets:
                        case = run_case(servers, cookie, group, paths[group], sockets,
                                        args.saves, saved)
                        saved += args.saves
                        rows.append({"layer": layer, "processes": len(servers),
                                     "group": group, **case})
                        print(rows[-1], flush=True)
            except Exception:
                for server in servers:
                    print(server.log_tail(40))
                raise
            finally:
                for server in servers:
                    server.stop()
    print()
    print_table(rows, ["group", "layer", "processes", "sockets", "p50_ms", "p99_ms", "max_ms",
                       "frames_per_sec"])
    write_results("fanout", {
        "coalesce_window_secs": float(os.environ.get("LIVE_COALESCE_WINDOW_SECS", "0.1")),
        "rows": rows,
    })


if __name__ == "__main__":
    main()
