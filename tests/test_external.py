"""External sources against a real HTTP server on 127.0.0.1: good, slow, failing and
malformed answers. Nothing here reaches the internet."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import AsyncClient

from dashboard import external, selectors
from dashboard.external import FetchFailed, extract, refresh_due_sources
from dashboard.models import ExternalSource
from live import broadcast

from .livetools import GroupProbe

pytestmark = pytest.mark.django_db(transaction=True)


class Origin:
    """What the test server knows: when the slow request arrived, and when to answer it."""

    def __init__(self) -> None:
        self.slow_arrived = threading.Event()
        self.release_slow = threading.Event()


ROUTES = {
    "/rates": (200, json.dumps({"base": "EUR", "rates": {"USD": 1.0832, "CHF": 0.9412}})),
    "/kpi": (200, json.dumps({"data": [{"name": "orders", "value": 1234}]})),
    "/error": (500, "Internal Server Error"),
    "/malformed": (200, '{"rates": {"USD": 1.08'),
    "/list": (200, json.dumps({"rates": {"USD": [1, 2]}})),
    "/huge": (200, json.dumps({"rates": {"USD": 1, "pad": "x" * (2 * 1024 * 1024)}})),
}


@pytest.fixture
def origin() -> Iterator[tuple[str, Origin]]:
    state = Origin()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/slow":
                state.slow_arrived.set()
                state.release_slow.wait(timeout=30)
                status, body = 200, json.dumps({"rates": {"USD": 2}})
            else:
                status, body = ROUTES.get(self.path, (404, "not found"))
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout, size limit): as intended

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    state.release_slow.set()
    server.shutdown()
    server.server_close()


def make_source(name: str, url: str, path: str = "rates.USD", **extra: object) -> ExternalSource:
    return ExternalSource.objects.create(name=name, url=url, json_path=path, **extra)


add_source = sync_to_async(make_source)


async def reload(source: ExternalSource) -> ExternalSource:
    return await ExternalSource.objects.aget(pk=source.pk)


@pytest.mark.parametrize(
    ("path", "value"),
    [("rates.USD", 1), ("$.rates.USD", 1), ("data[0].value", 7), ("data[1]", {"x": 2})],
)
def test_extract_follows_dotted_and_indexed_paths(path, value):
    document = {"rates": {"USD": 1}, "data": [{"value": 7}, {"x": 2}]}
    assert extract(document, path) == value


@pytest.mark.parametrize("path", ["rates.EUR", "data[5]", "rates[0]", "data..x["])
def test_extract_missing_or_bad_paths_fail_clearly(path):
    with pytest.raises(FetchFailed):
        extract({"rates": {"USD": 1}, "data": []}, path)


async def test_all_sources_are_fetched_and_failures_stay_isolated(origin, settings):
    url, state = origin
    settings.EXTERNAL_FETCH_TIMEOUT_SECS = 0.5
    state.release_slow.clear()
    good = await add_source("USD rate", f"{url}/rates", unit="USD")
    kpi = await add_source("Orders", f"{url}/kpi", "data[0].value")
    bad = {
        "error": (await add_source("Broken", f"{url}/error"), "HTTP 500"),
        "malformed": (await add_source("Malformed", f"{url}/malformed"), "not JSON"),
        "path": (await add_source("Wrong path", f"{url}/rates", "rates.JPY"), "nothing at"),
        "type": (await add_source("A list", f"{url}/list"), "not a number or text"),
        "huge": (await add_source("Huge", f"{url}/huge"), "larger than"),
        "slow": (await add_source("Slow", f"{url}/slow"), "no answer within 0.5 s"),
        "down": (await add_source("Down", "http://127.0.0.1:9/"), "cannot reach"),
    }
    outcomes = await refresh_due_sources()
    assert len(outcomes) == 9
    assert (await reload(good)).value == "1.0832"
    assert (await reload(kpi)).value == "1234"
    for source, reason in bad.values():
        fresh = await reload(source)
        assert fresh.unavailable_since is not None and fresh.value == ""
        assert reason in fresh.last_error, (source.name, fresh.last_error)


async def test_a_slow_source_does_not_block_the_event_loop(origin, settings):
    url, state = origin
    settings.EXTERNAL_FETCH_TIMEOUT_SECS = 30
    slow = await add_source("Slow", f"{url}/slow")
    refresh = asyncio.create_task(refresh_due_sources())
    # The loop runs this test's code while the fetch waits on its thread: were the fetch
    # blocking the loop, the refresh would have ended (on the release below) before we
    # got here.
    assert await asyncio.to_thread(state.slow_arrived.wait, 10)
    assert not refresh.done()
    state.release_slow.set()
    await refresh
    assert (await reload(slow)).value == "2"


async def test_unavailable_since_keeps_the_first_failure_and_clears_on_success(origin):
    url, _ = origin
    source = await add_source("Flaky", f"{url}/error")
    await refresh_due_sources()
    first = (await reload(source)).unavailable_since
    await refresh_due_sources(force=True)
    assert (await reload(source)).unavailable_since == first
    await ExternalSource.objects.filter(pk=source.pk).aupdate(url=f"{url}/rates")
    await refresh_due_sources(force=True)
    fresh = await reload(source)
    assert (fresh.value, fresh.unavailable_since, fresh.last_error) == ("1.0832", None, "")


async def test_only_due_sources_are_fetched(origin):
    url, _ = origin
    await add_source("Hourly", f"{url}/rates", refresh_interval_secs=3600)
    assert len(await refresh_due_sources()) == 1
    assert await refresh_due_sources() == []  # fetched a moment ago
    assert len(await refresh_due_sources(force=True)) == 1
    await add_source("Off", f"{url}/rates", enabled=False)
    assert len(await refresh_due_sources(force=True)) == 1


async def test_a_refresh_tells_the_wall_once(origin):
    url, _ = origin
    await add_source("A", f"{url}/rates")
    await add_source("B", f"{url}/error")
    probe = await GroupProbe(broadcast.WALL_GROUP).join()
    await refresh_due_sources()
    assert [message["type"] for message in await probe.received()] == ["wall.changed"]
    await probe.leave()


async def test_api_external_returns_latest_values(origin, make_user):
    url, _ = origin
    await add_source("USD rate", f"{url}/rates", unit="USD")
    await add_source("Broken", f"{url}/error")
    await refresh_due_sources()
    client = AsyncClient()
    assert (await client.get("/api/external/")).status_code == 401
    await client.aforce_login(await sync_to_async(make_user)())
    sources = {s["name"]: s for s in (await client.get("/api/external/")).json()["sources"]}
    assert sources["USD rate"]["value"] == "1.0832" and sources["USD rate"]["available"]
    assert sources["USD rate"]["fetched_at"] and sources["USD rate"]["unit"] == "USD"
    assert not sources["Broken"]["available"] and sources["Broken"]["unavailable_since"]
    assert sources["Broken"]["error"] == "HTTP 500"


async def test_tiles_show_values_and_unavailable_since(origin):
    url, _ = origin
    await add_source("USD rate", f"{url}/rates", unit="USD")
    await add_source("Broken", f"{url}/error")
    await add_source("New", f"{url}/rates", refresh_interval_secs=60, enabled=True)
    await refresh_due_sources()
    await add_source("Later", f"{url}/rates")
    readings = await sync_to_async(selectors.external_sources_latest)()
    html = await sync_to_async(render_to_string)(
        "live/external_tiles.html", {"external_sources": readings}
    )
    assert html.lstrip().startswith('<section id="external-tiles"')
    assert "1.0832" in html and "USD" in html and "fetched" in html
    assert "unavailable since" in html and "not fetched yet" in html


async def test_fetch_external_command_runs_one_pass(origin):
    url, _ = origin
    source = await add_source("USD rate", f"{url}/rates")
    out = io.StringIO()
    await asyncio.to_thread(call_command, "fetch_external", stdout=out)  # a loop of its own
    assert "USD rate: 1.0832" in out.getvalue()
    assert (await reload(source)).value == "1.0832"


def test_next_due_in_secs(db):
    assert external.next_due_in_secs() is None
    make_source("Never fetched", "http://127.0.0.1:9/")
    assert external.next_due_in_secs() == 0.0
