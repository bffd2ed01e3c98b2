"""What the benchmarks share: servers per channel layer, tables, results files."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import DaphneServer, server_env  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
USERNAME, PASSWORD = "bench", "bench-password"
LAYER_PROCESSES = {"memory": 1, "core": 2, "pubsub": 2}
DEFAULT_REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def start_servers(layer: str, workdir: Path, redis_url: str, prefix: str) -> list[DaphneServer]:
    """Migrated daphne processes for one channel layer, sharing a SQLite file database,
    with the bench user created."""
    env = server_env(
        DEBUG="0", SECRET_KEY="bench-only", DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        REDIS_URL=None if layer == "memory" else redis_url,
        CHANNEL_LAYER=None if layer == "memory" else layer, CHANNEL_LAYER_PREFIX=prefix,
    )
    servers = [DaphneServer(workdir, env, name=f"{layer}{n}")
               for n in range(LAYER_PROCESSES[layer])]
    servers[0].manage("migrate", "--noinput")
    servers[0].manage("shell", "-c", (
        "from django.contrib.auth.models import User; "
        f"User.objects.filter(username='{USERNAME}').exists() or "
        f"User.objects.create_user('{USERNAME}', password='{PASSWORD}')"))
    for server in servers:
        server.start()
    return servers


def print_table(rows: list[dict], columns: list[str]) -> None:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.rjust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).rjust(widths[c]) for c in columns))


def write_results(name: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    machine = {"cpus": os.cpu_count(), "python": platform.python_version()}
    path.write_text(json.dumps({"machine": machine, **payload}, indent=2) + "\n")
    print(f"\nwrote bench/results/{path.name}")
    return path
