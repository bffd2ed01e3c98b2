"""Read-only recomputes: ``thread_sensitive=True`` (the default) or ``False``?

Measures what DESIGN.md asks to measure before choosing. In one process, as in daphne
(no ThreadSensitiveContext, so every thread-sensitive call shares ONE thread), it reads the
dashboards of U users at once, R rounds, with ``database_sync_to_async`` either way; and
meanwhile times a tiny thread-sensitive call every 10 ms — the stand-in for a new socket's
session lookup, which Channels' AuthMiddleware makes thread-sensitive.

    .venv/bin/python bench/thread_sensitivity.py                       # temp SQLite file
    .venv/bin/python bench/thread_sensitivity.py --database-url postgres://postgres@127.0.0.1:5432/bench_threads

Prints a table and writes bench/results/thread_sensitivity_<vendor>.json. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def setup(database_url: str, users: int, rows_per_user: int) -> list[int]:
    os.environ.update(DEBUG="1", DATABASE_URL=database_url,
                      DJANGO_SETTINGS_MODULE="dashboard.settings")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from dashboard.models import Transaction

    User = get_user_model()  # noqa: N806
    User.objects.filter(username__startswith="threads-").delete()
    ids = []
    for n in range(users):
        user = User.objects.create_user(f"threads-{n}")
        Transaction.objects.bulk_create(
            Transaction(user=user, amount=(k % 200) - 90, category="Bench")
            for k in range(rows_per_user)
        )
        ids.append(user.pk)
    return ids


async def run(ids: list[int], rounds: int, thread_sensitive: bool) -> dict:
    from asgiref.sync import sync_to_async
    from channels.db import database_sync_to_async

    from live import fragments

    read = database_sync_to_async(fragments.dashboard_frame, thread_sensitive=thread_sensitive)
    probe = sync_to_async(lambda: None)  # thread-sensitive, like a socket's session lookup
    reads: list[float] = []
    waits: list[float] = []
    done = asyncio.Event()

    async def timed_read(user_id: int) -> None:
        start = time.perf_counter()
        await read(user_id=user_id)
        reads.append((time.perf_counter() - start) * 1000)

    async def probing() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await probe()
            waits.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(0.01)

    prober = asyncio.create_task(probing())
    start = time.perf_counter()
    for _ in range(rounds):
        await asyncio.gather(*(timed_read(user_id) for user_id in ids))
    elapsed = time.perf_counter() - start
    done.set()
    await prober
    quantiles = statistics.quantiles
    return {
        "thread_sensitive": thread_sensitive,
        "reads_per_sec": round(len(reads) / elapsed),
        "read_p50_ms": round(statistics.median(reads), 1),
        "read_p99_ms": round(quantiles(reads, n=100)[98], 1),
        "lookup_wait_p50_ms": round(statistics.median(waits), 2),
        "lookup_wait_p99_ms": round(quantiles(waits, n=100)[98], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rows-per-user", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="threads-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'threads.sqlite3'}"
        ids = setup(url, args.users, args.rows_per_user)
        from common import print_table, write_results
        from django.db import connection

        # Warm up (templates, connections), then measure both ways, alternating.
        asyncio.run(run(ids, 2, False))
        rows = [asyncio.run(run(ids, args.rounds, flag)) for flag in (True, False, True, False)]
        print_table(rows, list(rows[0]))
        write_results(f"thread_sensitivity_{connection.vendor}", {
            "users": args.users, "rows_per_user": args.rows_per_user, "rounds": args.rounds,
            "rows": rows,
        })


if __name__ == "__main__":
    main()
