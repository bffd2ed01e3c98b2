"""End-to-end fixtures: a real daphne server (own SQLite file, in-memory channel layer) and
Playwright's sync Chromium.

The server runs the project's own settings (``dashboard.settings``), not the test settings:
it is the app as `make run` serves it. Its database is a temp file that only it uses, so the
tests here never touch the test process' database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.servers import REPO_ROOT, DaphneServer, server_env

__all__ = ["REPO_ROOT"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
# Every server started in this session, so that a failing test can show their logs.
_SERVERS: list[DaphneServer] = []


def _embedded_server(workdir: Path) -> DaphneServer:
    """The app as `make run` serves it: its own SQLite file, the in-memory layer."""
    env = server_env(
        DEBUG="1", DATABASE_URL=f"sqlite:///{workdir / 'e2e.sqlite3'}", REDIS_URL=None
    )
    server = DaphneServer(workdir, env)
    _SERVERS.append(server)
    return server


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if not CHROMIUM.exists():
        message = "Chromium not installed: apt-get install chromium"
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return str(CHROMIUM)


def _new_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> DaphneServer:
    server = _embedded_server(tmp_path_factory.mktemp(name))
    server.manage("migrate", "--noinput")
    server.manage("demo_data")
    return server


@pytest.fixture(scope="session")
def daphne_server(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DaphneServer]:
    """A real daphne on a free port with its own migrated, demo-filled SQLite database."""
    server = _new_server(tmp_path_factory, "e2e-server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server_factory(
    chromium_executable: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], DaphneServer]]:
    """Fresh, separate servers (own database) for tests that need pristine demo data."""
    servers: list[DaphneServer] = []

    def make() -> DaphneServer:
        server = _new_server(tmp_path_factory, "e2e-fresh")
        servers.append(server)
        server.start()
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def base_url(daphne_server: DaphneServer) -> str:
    return daphne_server.base_url


@pytest.fixture
def browser(chromium_executable: str):  # type: ignore[no-untyped-def]
    """Chromium, per test (about 0.3 s to launch).

    Playwright's sync API keeps its asyncio loop *running* in this thread while it is
    started. Function scope starts it after and stops it before the suite's autouse async
    fixtures (pytest-asyncio's runner refuses to run inside a running loop), whatever they
    are called.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_context(browser):  # type: ignore[no-untyped-def]
    """Make isolated browser contexts (own cookies: another client); closed after the test."""
    contexts = []

    def make(**kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("viewport", VIEWPORT)
        context = browser.new_context(**kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """On an e2e failure (setup, call or teardown), show what the servers logged."""
    report = yield
    if report.failed and item.get_closest_marker("e2e") is not None:
        for server in _SERVERS:
            report.sections.append((f"daphne log ({server.base_url})", server.log_tail()))
    return report
