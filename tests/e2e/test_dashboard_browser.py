"""The dashboard in a real browser against a real daphne: one change, from a save to pixels.

Each test reads its own baseline from the screen (the server's database is shared by the
tests of this module), so they do not depend on their order.
"""

from __future__ import annotations

import os
import re
import time
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 10_000
# A restarted server is reached through htmx' full-jitter backoff (up to 2^n s per try).
RECONNECT_TIMEOUT_MS = 30_000
REPO_ROOT = Path(__file__).resolve().parents[2]
FIGURES = ("count", "income", "expenses", "net", "average")
ADD_FORM = "#add-transaction form"

# Records when the count figure's text first differs from what it was at install time.
# The ws extension replaces #figures as a whole, so the observer watches the subtree.
WATCH_COUNT = """() => {
  const read = () =>
    document.querySelector('[data-figure="count"] .figure-value').textContent.trim();
  const initial = read();
  window.__countChangedAt = undefined;
  const observer = new MutationObserver(() => {
    if (window.__countChangedAt === undefined && read() !== initial) {
      window.__countChangedAt = Date.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

# Records every change of #live-status[data-state] with the time it happened, and the close
# codes the socket saw.
WATCH_STATUS = """() => {
  window.__states = [];
  window.__closeCodes = [];
  document.addEventListener('htmx:wsClose', (evt) => {
    window.__closeCodes.push(evt.detail.event.code);
  });
  const status = document.getElementById('live-status');
  new MutationObserver(() => {
    window.__states.push({state: status.dataset.state, at: Date.now()});
  }).observe(status, {attributes: true, attributeFilter: ['data-state']});
}"""


# -- helpers -------------------------------------------------------------------------------
def money(text: str) -> Decimal:
    """``"+1,234.50"`` / ``"-12.00"`` / ``"0.00"`` → Decimal."""
    return Decimal(text.strip().replace(",", "").replace("+", ""))


def login(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def wait_live(page: Page, timeout: int = TIMEOUT_MS) -> None:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live", timeout=timeout)


def open_dashboard(new_context, base_url: str, *, live: bool = True, **context_args) -> Page:  # type: ignore[no-untyped-def]
    page = new_context(**context_args).new_page()
    page.js_errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.js_errors.append(error))  # type: ignore[attr-defined]
    login(page, base_url)
    if live:
        wait_live(page)
    return page


def figures(page: Page) -> dict[str, Decimal]:
    values = {
        name: page.locator(f'[data-figure="{name}"] .figure-value').inner_text() for name in FIGURES
    }
    result = {name: money(text) for name, text in values.items() if name != "count"}
    result["count"] = Decimal(values["count"].replace(",", ""))
    return result


def count_text(page: Page) -> str:
    return page.locator('[data-figure="count"] .figure-value').inner_text()


def fill_form(page: Page, amount: str, description: str = "", category: str = "") -> None:
    page.fill("#id_amount", amount)
    page.fill("#id_description", description)
    page.fill("#id_category", category)


def submit_form(page: Page):  # type: ignore[no-untyped-def]
    """Click Add; return the POST's response (htmx or a normal form post)."""
    with page.expect_response(
        lambda r: r.url.endswith("/transactions/") and r.request.method == "POST"
    ) as info:
        page.locator(ADD_FORM).get_by_role("button", name="Add").click()
    return info.value


def api_summary(page: Page, base_url: str) -> dict:  # type: ignore[type-arg]
    """What the database holds, read through the page's session (context's cookies)."""
    response = page.context.request.get(f"{base_url}/api/summary/")
    assert response.ok, response.status
    return response.json()


def assert_screen_matches_api(page: Page, base_url: str) -> None:
    shown = figures(page)
    truth = api_summary(page, base_url)
    assert shown == {
        "count": Decimal(truth["count"]),
        "income": Decimal(truth["total_income"]),
        "expenses": Decimal(truth["total_expenses"]),
        "net": Decimal(truth["net"]),
        "average": Decimal(truth["average"]),
    }


# -- 1. a save in one client reaches another client's screen, without a reload -------------
def test_save_in_one_client_updates_another_without_reload(new_context, base_url):  # type: ignore[no-untyped-def]
    watcher = open_dashboard(new_context, base_url)  # context A
    before = figures(watcher)
    watcher.evaluate("window.__marker = 1")
    watcher.evaluate(WATCH_COUNT)

    editor = open_dashboard(new_context, base_url, live=False)  # context B: another client
    assert editor.context is not watcher.context
    fill_form(editor, "1234.56", "e2e salary", "Salary")
    clicked_at = watcher.evaluate("Date.now()")
    response = submit_form(editor)
    assert response.status == 200
    expect(editor.locator("#add-transaction .saved")).to_have_text(
        "Saved +1,234.56 e2e salary.", timeout=TIMEOUT_MS
    )

    watcher.wait_for_function("() => window.__countChangedAt !== undefined", timeout=TIMEOUT_MS)
    changed_at = watcher.evaluate("window.__countChangedAt")
    print(f"\nsave-to-screen: {changed_at - clicked_at} ms")

    assert watcher.evaluate("window.__marker") == 1, "the watching page was reloaded"
    after = figures(watcher)
    assert after["count"] == before["count"] + 1
    assert after["income"] - before["income"] == Decimal("1234.56")
    assert after["expenses"] == before["expenses"]
    assert after["net"] - before["net"] == Decimal("1234.56")
    assert after["average"] == (after["net"] / after["count"]).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_EVEN
    )
    expect(watcher.locator("#latest .latest-description")).to_have_text("e2e salary")
    expect(watcher.locator('#latest [data-figure="latest"]')).to_have_text("+1,234.56")
    newest = watcher.locator("#recent tbody tr").first
    expect(newest).to_contain_text("e2e salary")
    expect(newest).to_have_class(re.compile(r"\bnew\b"))

    for name in ("count", "income", "net", "average"):
        expect(watcher.locator(f'[data-figure="{name}"]')).to_have_class(re.compile(r"\bchanged\b"))
    expect(watcher.locator('[data-figure="expenses"]')).not_to_have_class(
        re.compile(r"\bchanged\b")
    )
    announcer = watcher.locator("#live-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_contain_text("Updated:")
    expect(announcer).to_contain_text("Income +")

    assert_screen_matches_api(watcher, base_url)
    assert watcher.js_errors == [] and editor.js_errors == []  # type: ignore[attr-defined]


# -- 2. bad input is refused with a clear error and changes nothing ------------------------
@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter a number."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
    ],
)
def test_invalid_amount_shows_error_and_changes_nothing(new_context, base_url, amount, message):  # type: ignore[no-untyped-def]
    page = open_dashboard(new_context, base_url)
    before = count_text(page)
    truth_before = api_summary(page, base_url)["count"]

    # Chromium's number input drops letters typed into it; a client that does not (an
    # older browser, a script) sends them as typed. Make it a text field to send "abc".
    page.locator("#id_amount").evaluate("el => { el.type = 'text'; }")
    fill_form(page, amount, "e2e invalid", "Other")
    response = submit_form(page)
    assert response.status == 200  # htmx swaps 2xx only: the errors come in the form

    amount_field = page.locator("#add-transaction .field").filter(has=page.locator("#id_amount"))
    expect(amount_field).to_have_class(re.compile(r"\bhas-error\b"))
    error = amount_field.locator(".error")
    expect(error).to_have_text(message)
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_be_visible()
    expect(page.locator("#id_amount")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#add-transaction .saved")).to_have_count(0)

    # Saved synchronously before the response: the database holds no new row...
    assert api_summary(page, base_url)["count"] == truth_before
    # ...and the screen still shows the same count.
    assert count_text(page) == before
    assert_screen_matches_api(page, base_url)


# -- 3. the socket drops (server restart) and comes back with the current state ------------
ADD_WHILE_DOWN = """
from decimal import Decimal
from django.contrib.auth import get_user_model
from dashboard import services
user = get_user_model().objects.get(username="demo")
services.transaction_create(user=user, amount=Decimal("-12.34"),
                            description="e2e written while offline", category="Other")
"""


def test_reconnects_after_server_restart_with_snapshot(new_context, daphne_server):  # type: ignore[no-untyped-def]
    base_url = daphne_server.base_url
    watcher = open_dashboard(new_context, base_url)
    before = figures(watcher)
    watcher.evaluate("window.__marker = 1")
    watcher.evaluate(WATCH_STATUS)
    status = watcher.locator("#live-status")

    down_at = time.time() * 1000
    daphne_server.stop()
    expect(status).not_to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    # A change that no push can announce (the server is down): the snapshot on reconnect
    # must bring it.
    daphne_server.manage("shell", "-c", ADD_WHILE_DOWN)
    daphne_server.start()
    ready_at = time.time() * 1000

    wait_live(watcher, timeout=RECONNECT_TIMEOUT_MS)
    states = watcher.evaluate("window.__states")
    live_at = states[-1]["at"]
    assert states[-1]["state"] == "live"
    assert any(s["state"] != "live" for s in states), states
    print(
        f"\nreconnect: {live_at - ready_at:.0f} ms after the restarted server answered "
        f"/healthz ({live_at - down_at:.0f} ms after it was stopped); "
        f"states: {[s['state'] for s in states]}, close codes: "
        f"{watcher.evaluate('window.__closeCodes')}"
    )
    assert watcher.evaluate("window.__marker") == 1, "the page was reloaded"

    # Snapshot on reconnect: the offline write is on screen.
    expect(watcher.locator('[data-figure="count"] .figure-value')).to_have_text(
        f"{int(before['count']) + 1:,}", timeout=TIMEOUT_MS
    )
    expect(watcher.locator("#latest .latest-description")).to_have_text("e2e written while offline")
    assert figures(watcher)["expenses"] == before["expenses"] - Decimal("12.34")

    # And pushes flow again on the new socket.
    watcher.evaluate(WATCH_COUNT)
    editor = open_dashboard(new_context, base_url, live=False)
    fill_form(editor, "77.77", "e2e after reconnect", "Refund")
    assert submit_form(editor).status == 200
    watcher.wait_for_function("() => window.__countChangedAt !== undefined", timeout=TIMEOUT_MS)
    expect(watcher.locator('[data-figure="count"] .figure-value')).to_have_text(
        f"{int(before['count']) + 2:,}"
    )
    expect(watcher.locator("#latest .latest-description")).to_have_text("e2e after reconnect")
    assert watcher.evaluate("window.__marker") == 1, "the page was reloaded"
    assert_screen_matches_api(watcher, base_url)
    assert watcher.js_errors == []  # type: ignore[attr-defined]


# -- 4. accessibility: axe-core finds nothing serious or critical --------------------------
def serious_violations(page: Page) -> list[dict]:  # type: ignore[type-arg]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [
        v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}
    ]
    for v in results.response["violations"]:
        print(f"\naxe [{v.get('impact')}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"]:
            print(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return violations


def describe(violations: list[dict]) -> str:  # type: ignore[type-arg]
    lines = []
    for v in violations:
        lines.append(f"{v['impact']} {v['id']}: {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"  {node['target']} {summary}")
    return "\n".join(lines)


def test_login_page_has_no_serious_axe_violations(new_context, base_url):  # type: ignore[no-untyped-def]
    page = new_context().new_page()
    page.goto(f"{base_url}/accounts/login/")
    violations = serious_violations(page)
    assert violations == [], describe(violations)


def test_dashboard_has_no_serious_axe_violations(new_context, base_url):  # type: ignore[no-untyped-def]
    page = open_dashboard(new_context, base_url)
    violations = serious_violations(page)
    assert violations == [], describe(violations)

    # The form as it looks with an error in it.
    fill_form(page, "1.234")
    submit_form(page)
    expect(page.locator("#add-transaction .error")).to_be_visible()
    violations = serious_violations(page)
    assert violations == [], describe(violations)


# -- 5. without JavaScript: a plain form post and a redirect --------------------------------
def test_works_without_javascript(new_context, base_url):  # type: ignore[no-untyped-def]
    page = open_dashboard(new_context, base_url, live=False, java_script_enabled=False)
    # Playwright's text engine skips <noscript>; address its paragraph by CSS instead.
    fallback = page.locator("noscript p.live-status")
    expect(fallback).to_contain_text("Not live: JavaScript is off")
    expect(fallback).to_be_visible()
    before = figures(page)
    assert before["count"] > 0

    fill_form(page, "1.234", "e2e no js invalid")
    response = submit_form(page)
    assert response.status == 400
    expect(page.locator("#add-transaction .error")).to_have_text(
        "Ensure that there are no more than 2 decimal places."
    )
    assert figures(page) == before

    fill_form(page, "-45.67", "e2e no js", "Groceries")
    response = submit_form(page)
    assert response.status == 302
    page.wait_for_url(f"{base_url}/")
    after = figures(page)
    assert after["count"] == before["count"] + 1
    assert after["expenses"] - before["expenses"] == Decimal("-45.67")
    assert after["net"] - before["net"] == Decimal("-45.67")
    expect(page.locator("#latest .latest-description")).to_have_text("e2e no js")
    assert_screen_matches_api(page, base_url)


# -- 6. the screenshot in the docs, refreshed on request only --------------------------------
@pytest.mark.skipif(
    os.environ.get("UPDATE_SCREENSHOTS") != "1", reason="set UPDATE_SCREENSHOTS=1 to refresh"
)
def test_update_dashboard_screenshot(new_context, server_factory):  # type: ignore[no-untyped-def]
    server = server_factory()  # pristine demo data, none of the other tests' rows
    page = open_dashboard(new_context, server.base_url, viewport={"width": 1440, "height": 900})
    target = REPO_ROOT / "docs" / "dashboard.png"
    target.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(target), type="png", full_page=False, animations="disabled")
    size = target.stat().st_size
    print(f"\nwrote {target.relative_to(REPO_ROOT)}: {size / 1024:.0f} KB")
    assert size > 0
