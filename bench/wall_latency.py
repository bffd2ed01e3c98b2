"""Save-to-wall latency with 1 and with 100 walls open (not a test; never run by make test).

Starts a real daphne (temp SQLite, in-memory channel layer, the project's own settings),
opens N real WebSocket clients on a wall link, then saves transactions through the real
dashboard form (signed in, CSRF token, htmx POST) — in the server process, so the in-memory
layer announces them — and times, per client, from just before the POST is sent to the
arrival of the frame that shows the new row. Prints a table and writes
bench/results/wall_latency.json.

    .venv/bin/python bench/wall_latency.py [--walls 1 100] [--saves 30]
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import websockets

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "wall_latency.json"
FRAME_TIMEOUT_SECS = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "WALL_HEARTBEAT_SECS": "3600",  # no heartbeats in the measurements
            "LIVE_LOG_LEVEL": "WARNING",
        }
        self.env.pop("REDIS_URL", None)
        self.log = (workdir / "daphne.log").open("wb")
        self.proc: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env,
                              check=True, capture_output=True, text=True).stdout

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
             "dashboard.asgi:application"], cwd=REPO_ROOT, env=self.env, stdout=self.log,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("daphne did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class Editor:
    """A signed-in browser, as far as Django can tell: cookies, CSRF token, htmx header."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self, path: str) -> str:
        html = self.opener.open(self.base + path).read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def _post(self, path: str, data: dict[str, str], **headers: str) -> bytes:
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path, **headers})
        return self.opener.open(request).read()

    def login(self, username: str, password: str) -> None:
        token = self._csrf("/accounts/login/")
        self._post("/accounts/login/", {"username": username, "password": password,
                                        "csrfmiddlewaretoken": token})
        self.form_token = self._csrf("/")

    def save(self, amount: str, category: str) -> None:
        body = self._post("/transactions/", {"amount": amount, "category": category,
                                             "description": "bench",
                                             "csrfmiddlewaretoken": self.form_token},
                          **{"HX-Request": "true"})
        assert b"Saved" in body, body[:300]


async def drain(ws: websockets.ClientConnection, quiet_secs: float = 0.5) -> None:
    """Read until nothing arrives for ``quiet_secs`` (snapshot, viewer counts)."""
    while True:
        try:
            await asyncio.wait_for(ws.recv(), quiet_secs)
        except TimeoutError:
            return


async def wait_for(ws: websockets.ClientConnection, marker: str) -> float:
    while True:
        frame = await asyncio.wait_for(ws.recv(), FRAME_TIMEOUT_SECS)
        if marker in frame:
            return time.perf_counter()


async def measure(server: Server, url: str, editor: Editor, walls: int,
                  saves: int) -> dict[str, object]:
    ws_url = url.replace("http://", "ws://").replace("/wall/", "/ws/wall/")
    clients = [await websockets.connect(ws_url, origin=server.base, max_size=None)
               for _ in range(walls)]
    await asyncio.gather(*(drain(ws) for ws in clients))
    samples: list[float] = []
    last_per_save: list[float] = []
    for index in range(saves):
        amount = f"{walls * 1000 + index + 1}.{index % 100:02d}"
        marker = f"+{float(amount):,.2f}"
        waiting = [asyncio.create_task(wait_for(ws, marker)) for ws in clients]
        started = time.perf_counter()
        await asyncio.to_thread(editor.save, amount, "Bench")
        arrived = await asyncio.gather(*waiting)
        latencies = [(at - started) * 1000 for at in arrived]
        samples += latencies
        last_per_save.append(max(latencies))
        await asyncio.gather(*(drain(ws, 0.15) for ws in clients))
    for ws in clients:
        await ws.close()
    ordered = sorted(samples)
    return {
        "walls": walls, "saves": saves, "frames": len(samples),
        "p50_ms": round(statistics.median(ordered), 1),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
        "max_ms": round(ordered[-1], 1),
        "last_wall_p50_ms": round(statistics.median(last_per_save), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walls", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--saves", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wall-bench-") as tmp:
        server = Server(Path(tmp))
        server.manage("migrate", "--noinput")
        server.manage("demo_data")  # the staff login demo/demo and a year of transactions
        url = server.manage("wall_link", "--name", "bench", "--base-url", server.base)
        url = url.strip().splitlines()[-1]
        server.start()
        try:
            editor = Editor(server.base)
            editor.login("demo", "demo")
            rows = [asyncio.run(measure(server, url, editor, n, args.saves)) for n in args.walls]
        finally:
            server.stop()
    print("save-to-wall latency: POST of the dashboard form → wall frame showing the row")
    print(f"{'walls':>6} {'saves':>6} {'frames':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
          f" {'last wall p50':>14}")
    for row in rows:
        print(f"{row['walls']:>6} {row['saves']:>6} {row['frames']:>7} {row['p50_ms']:>8}"
              f" {row['p99_ms']:>8} {row['max_ms']:>8} {row['last_wall_p50_ms']:>14}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "setup": "1 daphne, SQLite, in-memory layer, LIVE_COALESCE_WINDOW_SECS default",
        "results": rows,
    }, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
