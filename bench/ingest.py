"""Ingest benchmark: a 100,000-row CSV import, and the API's sustained writes with
dashboards open. Not run by ``make test``.

    .venv/bin/python bench/ingest.py [--rows 100000] [--dashboards 0,10,100] [--seconds 10]

Everything runs on a temporary SQLite database and the in-memory channel layer: the
import in this process, the API in a real daphne subprocess, the dashboards as real
WebSocket clients (``websockets``) on /ws/dashboard/ with a session cookie. Prints a
table and writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ingest.json"
COUNT_FIGURE = re.compile(r'data-figure="count"[^>]*>.*?class="figure-value">([^<]*)<', re.S)


def setup_django(db_path: Path) -> None:
    os.environ.update(
        DEBUG="1", DATABASE_URL=f"sqlite:///{db_path}", DJANGO_SETTINGS_MODULE="dashboard.settings"
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_csv(path: Path, rows: int) -> None:
    from dashboard.simulation import simulated_transaction

    rng = random.Random(5)
    with path.open("w", encoding="utf-8") as out:
        out.write("date,amount,description,category\n")
        for n in range(rows):
            item = simulated_transaction(rng)
            day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00"
            out.write(f"{day},{item.amount},{item.description},{item.category}\n")


def bench_import(tmp: Path, rows: int) -> dict[str, float]:
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    get_user_model().objects.create_user("importer")
    path = tmp / "statement.csv"
    write_csv(path, rows)
    timings = {}
    for label in ("first", "again"):
        out = io.StringIO()
        start = time.perf_counter()
        call_command("import_transactions", str(path), "--user", "importer",
                     "--progress", "never", stdout=out)
        timings[label] = time.perf_counter() - start
        print(f"  import ({label}): {out.getvalue().strip()} in {timings[label]:.2f} s")
    return {
        "rows": rows,
        "import_secs": round(timings["first"], 2),
        "import_rows_per_sec": round(rows / timings["first"]),
        "reimport_secs": round(timings["again"], 2),
    }


def writer_credentials() -> tuple[int, str, str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from dashboard import services

    user = get_user_model().objects.create_user(f"writer-{time.time_ns()}")
    _, token = services.token_create(user=user, name="bench")
    client = Client()
    client.force_login(user)
    return user.pk, token, client.cookies["sessionid"].value


class Dashboards:
    """N real WebSocket clients of one user, counting frames and keeping the last count."""

    def __init__(self, port: int, session: str, n: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/ws/dashboard/"
        self.headers = {"Cookie": f"sessionid={session}"}
        self.origin = f"http://127.0.0.1:{port}"
        self.n = n
        self.frames = [0] * n
        self.last_count = [""] * n
        self.tasks: list[asyncio.Task[None]] = []
        self.ready = 0

    async def _client(self, index: int, opened: asyncio.Event) -> None:
        from websockets.asyncio.client import connect

        async with connect(self.url, additional_headers=self.headers, origin=self.origin,
                           max_size=2**22, open_timeout=60) as ws:
            first = True
            async for frame in ws:
                if first:
                    self.ready += 1
                    if self.ready == self.n:
                        opened.set()
                    first = False
                    continue
                self.frames[index] += 1
                match = COUNT_FIGURE.search(frame)
                if match:
                    self.last_count[index] = match.group(1).strip().replace(",", "")

    async def open(self) -> None:
        opened = asyncio.Event()
        if self.n == 0:
            return
        self.tasks = [asyncio.create_task(self._client(i, opened)) for i in range(self.n)]
        await asyncio.wait_for(opened.wait(), timeout=120)

    async def settle(self, expected: int, wait_secs: float = 30) -> bool:
        """Wait until every dashboard shows ``expected`` rows (exact, at the end)."""
        deadline = time.monotonic() + wait_secs
        while time.monotonic() < deadline:
            if all(count == str(expected) for count in self.last_count):
                return True
            await asyncio.sleep(0.05)
        return False

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def post_loop(port: int, token: str, batch: int, stop: threading.Event,
              latencies: list[float], rows: list[int]) -> None:
    import requests

    session = requests.Session()
    url = f"http://127.0.0.1:{port}/api/transactions/"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    rng = random.Random(threading.get_ident())
    while not stop.is_set():
        items = [{"amount": rng.randint(-9999, 9999) / 100, "description": "bench"}
                 for _ in range(batch)]
        body = json.dumps(items if batch > 1 else items[0])
        start = time.perf_counter()
        response = session.post(url, data=body, headers=headers, timeout=60)
        latencies.append(time.perf_counter() - start)
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
        rows.append(batch)


async def bench_api_case(port: int, dashboards: int, batch: int, seconds: float,
                         writers: int) -> dict[str, object]:
    from asgiref.sync import sync_to_async

    from dashboard.models import Transaction

    user_id, token, session = await sync_to_async(writer_credentials)()
    screens = Dashboards(port, session, dashboards)
    await screens.open()
    stop, latencies, rows = threading.Event(), [], []
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(writers) as pool:
        start = time.perf_counter()
        futures = [loop.run_in_executor(pool, post_loop, port, token, batch, stop, latencies, rows)
                   for _ in range(writers)]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*futures)
        elapsed = time.perf_counter() - start
    written = await Transaction.objects.filter(user_id=user_id).acount()
    exact = await screens.settle(written) if dashboards else True
    await screens.close()
    latencies.sort()
    return {
        "dashboards": dashboards,
        "batch": batch,
        "writers": writers,
        "requests": len(latencies),
        "rows": written,
        "rows_per_sec": round(written / elapsed),
        "requests_per_sec": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "frames_per_dashboard": round(sum(screens.frames) / dashboards, 1) if dashboards else 0,
        "screens_exact_at_end": exact,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dashboards", default="0,10,100")
    parser.add_argument("--batches", default="1,100", help="items per POST")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--writers", type=int, default=4, help="concurrent HTTP clients")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    setup_django(tmp / "bench.sqlite3")
    print(f"Import of a {args.rows:,}-row CSV (SQLite, {tmp}):")
    result_import = bench_import(tmp, args.rows)

    from tests.servers import DaphneServer, server_env

    server = DaphneServer(tmp, server_env(LIVE_LOG_LEVEL="WARNING"))  # this process's env
    server.start()
    port = server.port
    cases = []
    try:
        for dashboards in [int(n) for n in args.dashboards.split(",")]:
            for batch in [int(n) for n in args.batches.split(",")]:
                case = asyncio.run(
                    bench_api_case(port, dashboards, batch, args.seconds, args.writers)
                )
                cases.append(case)
                print(f"  API: {case}")
    finally:
        server.stop()

    print()
    print(f"import {result_import['rows']:,} rows: {result_import['import_secs']} s "
          f"({result_import['import_rows_per_sec']:,} rows/s); "
          f"the same file again: {result_import['reimport_secs']} s, nothing added")
    header = ("dashboards", "batch", "rows/s", "req/s", "p50 ms", "p99 ms", "frames/screen",
              "exact")
    print(" | ".join(f"{h:>13}" for h in header))
    for c in cases:
        values = (c["dashboards"], c["batch"], c["rows_per_sec"], c["requests_per_sec"],
                  c["p50_ms"], c["p99_ms"], c["frames_per_dashboard"], c["screens_exact_at_end"])
        print(" | ".join(f"{v!s:>13}" for v in values))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "database": "sqlite (temporary file, WAL)",
        "channel_layer": "in-memory (one daphne process)",
        "seconds_per_case": args.seconds,
        "import": result_import,
        "api": cases,
    }, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
