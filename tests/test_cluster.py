"""Several daphne processes on the real Redis and database: a save anywhere reaches every
screen everywhere. Needs REDIS_URL (and runs on PostgreSQL when DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from websockets.asyncio.client import connect as ws_connect

from dashboard import services

from .livetools import figure, session_cookie_for
from .servers import REPO_ROOT, DaphneServer, post_transaction, server_env

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def shared_database_url() -> str:
    """A URL for the database this test run created, for the server processes to share."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def cluster(redis_url: str, tmp_path: Path) -> Iterator[list[DaphneServer]]:
    env = server_env(
        DATABASE_URL=shared_database_url(), REDIS_URL=redis_url, SECRET_KEY=settings.SECRET_KEY,
        DEBUG="0", CHANNEL_LAYER=settings.CHANNEL_LAYER_KIND,
    )
    servers = [DaphneServer(tmp_path, env, name=f"worker{n}") for n in (1, 2)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


async def open_socket(server: DaphneServer, cookie: str):  # type: ignore[no-untyped-def]
    socket = await ws_connect(
        f"{server.ws_url}/ws/dashboard/",
        additional_headers={"Cookie": cookie, "Origin": server.base_url},
    )
    await socket.recv()  # the snapshot
    return socket


async def frame_with(socket, name: str, value: str) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """Frames until one shows ``name == value``: that frame and how many came."""
    count = 0
    while True:
        frame = await asyncio.wait_for(socket.recv(), timeout=30)
        count += 1
        if figure(frame, name) == value:
            return frame, count


async def test_save_through_one_process_reaches_a_screen_on_another(cluster, make_user):
    writer, watcher = cluster
    user = await database_sync_to_async(make_user)()
    cookie = (await session_cookie_for(user)).decode()
    socket = await open_socket(watcher, cookie)
    status = await asyncio.to_thread(
        post_transaction, writer.base_url, cookie,
        {"amount": "1234.56", "description": "cross", "category": "X"},
    )
    assert status == 200
    frame, _ = await frame_with(socket, "count", "1")
    assert figure(frame, "income") == "+1,234.56" and "cross" in frame
    # A write from a third process (this one: a shell, an import) reaches it too.
    await database_sync_to_async(services.transaction_create)(user=user, amount=Decimal("-0.56"))
    frame, _ = await frame_with(socket, "count", "2")
    assert figure(frame, "net") == "+1,234.00"
    await socket.close()


WRITER_SCRIPT = """
import os
from decimal import Decimal
from django.contrib.auth import get_user_model
from dashboard import services
user = get_user_model().objects.get(pk=int(os.environ["WRITER_USER"]))
for cents in range(1, int(os.environ["WRITER_COUNT"]) + 1):
    services.transaction_create(user=user, amount=Decimal(cents) / 100)
"""


async def test_burst_from_several_writer_processes_ends_exact_everywhere(cluster, make_user,
                                                                        redis_url):
    user = await database_sync_to_async(make_user)()
    cookie = (await session_cookie_for(user)).decode()
    sockets = [await open_socket(server, cookie) for server in cluster for _ in range(2)]
    writers, per_writer = 3, 100
    env = server_env(DATABASE_URL=shared_database_url(), REDIS_URL=redis_url, DEBUG="0",
                     SECRET_KEY=settings.SECRET_KEY, CHANNEL_LAYER=settings.CHANNEL_LAYER_KIND,
                     WRITER_USER=str(user.pk), WRITER_COUNT=str(per_writer))
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "manage.py", "shell", "-c", WRITER_SCRIPT,
            cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE,
        )
        for _ in range(writers)
    ]
    for process in processes:
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
    total = writers * per_writer
    expected_income = f"+{writers * per_writer * (per_writer + 1) / 2 / 100:,.2f}"
    for socket in sockets:
        frame, frames = await frame_with(socket, "count", str(total))
        assert figure(frame, "income") == expected_income
        assert frames < total  # coalesced: far fewer pushes than writes
        await socket.close()
