"""The wall in headless Chromium against a real daphne: live, updated by a save elsewhere,
stale when the server stops, live again with fresh figures when it comes back.

``UPDATE_SCREENSHOTS=1`` also writes docs/wall.png (1920x1080) for the README.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.servers import DaphneServer

from .conftest import _embedded_server

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 10_000
# After a restart the wall comes back through its own capped backoff (wall.js: at most 8 s).
RECONNECT_TIMEOUT_MS = 30_000
STALE_AFTER_SECS = 3
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def wall_server(chromium_executable: str,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DaphneServer, str]]:
    """A daphne with demo data (the demo login is staff), a fast heartbeat and a wall link."""
    server = _embedded_server(tmp_path_factory.mktemp("e2e-wall"))
    server.env.update({"WALL_HEARTBEAT_SECS": "1", "WALL_STALE_AFTER_SECS": str(STALE_AFTER_SECS)})
    server.manage("migrate", "--noinput")
    server.manage("demo_data")
    url = server.manage("wall_link", "--name", "e2e", "--base-url", server.base_url)
    server.start()
    try:
        yield server, url.strip().splitlines()[-1]
    finally:
        server.stop()


def tile(page: Page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"] .tile-value').inner_text()


def count(page: Page, name: str = "all-count") -> int:
    return int(tile(page, name).replace(",", ""))


def add_transaction(new_context, base_url: str, amount: str, category: str) -> None:  # type: ignore[no-untyped-def]
    page = new_context().new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")
    page.fill("#id_amount", amount)
    page.fill("#id_category", category)
    page.locator("#add-transaction form").get_by_role("button", name="Add").click()
    expect(page.locator("#add-transaction .saved")).to_be_visible(timeout=TIMEOUT_MS)


def test_wall_link_live_updates_goes_stale_and_recovers(wall_server, new_context):  # type: ignore[no-untyped-def]
    server, url = wall_server
    wall = new_context(viewport=SCREEN).new_page()
    errors: list[object] = []
    wall.on("pageerror", lambda error: errors.append(error))
    wall.goto(url)
    status = wall.locator("#live-status")
    expect(status).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    expect(wall.locator("#wall-viewers")).to_contain_text("1 wall", timeout=TIMEOUT_MS)
    assert wall.evaluate("[document.documentElement.scrollWidth, document.documentElement."
                         "scrollHeight]") == [1920, 1080]  # fits the screen: no scrollbars
    before = count(wall)
    wall.evaluate("window.__marker = 1")

    # A save in another browser reaches the wall without a reload.
    add_transaction(new_context, server.base_url, "4321.09", "E2E bonus")
    expect(wall.locator('[data-figure="all-count"] .tile-value')).to_have_text(
        f"{before + 1:,}", timeout=TIMEOUT_MS
    )
    expect(wall.locator("#wall-feed .feed-row").first).to_contain_text("+4,321.09")
    expect(wall.locator("#wall-feed .feed-row").first).to_contain_text("E2E bonus")
    assert "demo" not in wall.locator("#wall-feed").inner_text()  # names are off
    assert wall.evaluate("window.__marker") == 1, "the wall was reloaded"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        wall.screenshot(path=REPO_ROOT / "docs" / "wall.png", animations="disabled")

    # The server goes away: the whole screen dims and says it is stale.
    server.stop()
    expect(wall.locator("body")).to_have_attribute("data-stale", "true",
                                                   timeout=(STALE_AFTER_SECS + 10) * 1000)
    expect(wall.locator("#wall-stale")).to_be_visible()
    expect(wall.locator("#wall-stale")).to_contain_text("Stale")
    expect(status).not_to_have_attribute("data-state", "live")

    # A change made while it was down (straight into the database) shows after the restart:
    # the wall reconnects by itself and its first frame is the full current state.
    server.manage("shell", "-c", (
        "from decimal import Decimal; from django.contrib.auth.models import User; "
        "from dashboard.models import Transaction; "
        "Transaction.objects.create(user=User.objects.get(username='demo'), "
        "amount=Decimal('-77.70'), category='While down')"
    ))
    server.start()
    expect(status).to_have_attribute("data-state", "live", timeout=RECONNECT_TIMEOUT_MS)
    expect(wall.locator('[data-figure="all-count"] .tile-value')).to_have_text(
        f"{before + 2:,}", timeout=TIMEOUT_MS
    )
    expect(wall.locator("body")).to_have_attribute("data-stale", "false", timeout=TIMEOUT_MS)
    expect(wall.locator("#wall-stale")).to_be_hidden()
    expect(wall.locator("#wall-feed .feed-row").first).to_contain_text("While down")
    assert wall.evaluate("window.__marker") == 1
    assert errors == []


def test_wrong_wall_link_gets_a_plain_page(wall_server, new_context):  # type: ignore[no-untyped-def]
    server, _ = wall_server
    page = new_context(viewport=SCREEN).new_page()
    response = page.goto(f"{server.base_url}/wall/not-a-real-token/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading")).to_have_text("Not a wall link")
