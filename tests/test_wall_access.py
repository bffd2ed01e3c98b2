"""Who may open the wall: staff sessions and wall links; and a link opens nothing else."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dashboard.models import WallLink
from dashboard.services import wall_link_create, wall_link_revoke


@pytest.fixture
def link(db):
    return wall_link_create(name="lobby")


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("operator", is_staff=True))
    return client


def test_wall_link_page_renders_the_wall_with_its_socket(client, link, make_user, make_txn):
    _, token = link
    make_txn(make_user("zoe.private"), "12.50", category="Dining", description="secret")
    response = client.get(f"/wall/{token}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'ws-connect="/ws/wall/{token}/"' in html
    assert 'id="wall-totals"' in html and "+12.50" in html and "Dining" in html
    assert "zoe" not in html and "secret" not in html  # names off by default; never descriptions
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF cookie: the token logs nobody in


def test_wall_page_shows_names_when_turned_on(client, link, make_user, make_txn, settings):
    settings.WALL_SHOW_NAMES = True
    _, token = link
    make_txn(make_user("zoe"), "1")
    assert 'class="who">zoe<' in client.get(f"/wall/{token}/").content.decode()


@pytest.mark.parametrize(
    ("state", "status", "text"),
    [
        ("unknown", 404, "not a valid wall link"),
        ("revoked", 403, "was revoked"),
        ("expired", 403, "has expired"),
    ],
)
def test_bad_wall_links_get_a_plain_page(client, link, state, status, text):
    wall_link, token = link
    if state == "unknown":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif state == "revoked":
        wall_link_revoke(link=wall_link)
    else:
        WallLink.objects.filter(pk=wall_link.pk).update(expires_at=timezone.now())
    response = client.get(f"/wall/{token}/")
    assert response.status_code == status
    html = response.content.decode()
    assert text in html and "ws-connect" not in html and "<form" not in html


def test_wall_token_grants_nothing_else(client, link):
    _, token = link
    assert client.get(f"/wall/{token}/").status_code == 200
    assert client.get("/").status_code == 302
    assert client.get("/api/summary/").status_code == 401
    assert client.get("/admin/").status_code == 302
    assert client.get("/wall/").status_code == 302
    assert client.get(f"/api/summary/?token={token}").status_code == 401
    assert client.post("/transactions/", {"amount": "1"}).status_code in (302, 403)


def test_staff_open_the_wall_without_a_link(staff_client):
    response = staff_client.get("/wall/")
    assert response.status_code == 200
    assert 'ws-connect="/ws/wall/"' in response.content.decode()


def test_wall_needs_staff(client, make_user):
    assert client.get("/wall/")["Location"].startswith("/accounts/login/?next=/wall/")
    client.force_login(make_user("not-staff"))
    response = client.get("/wall/")
    assert response.status_code == 403 and b"Staff only" in response.content


def test_wall_options_from_the_query_string(staff_client):
    html = staff_client.get("/wall/?theme=light&panels=feed,rate,nonsense&rotate=15").content
    body = re.search(rb"<body [^>]*>", html)[0].decode()
    assert 'data-theme="light"' in body and 'data-panels="feed rate"' in body
    assert 'data-rotate="15"' in body and 'data-layout="rotate"' in body


def test_wall_options_fall_back_to_defaults(staff_client):
    html = staff_client.get("/wall/?theme=<script>&panels=&rotate=-3x").content
    body = re.search(rb"<body [^>]*>", html)[0].decode()
    assert 'data-theme="dark"' in body and 'data-rotate="0"' in body
    assert 'data-panels="totals external feed rate categories largest"' in body
    assert 'data-layout="full"' in body and "<script>" not in body


def test_wall_page_passes_the_stale_threshold(staff_client, settings):
    settings.WALL_STALE_AFTER_SECS = 45
    assert b'data-stale-after="45"' in staff_client.get("/wall/").content


def test_tokens_are_stored_hashed_and_long(link):
    wall_link, token = link
    assert len(token) >= 43
    stored = WallLink.objects.values_list("token_hash", flat=True).get()
    assert token not in stored and stored == WallLink.hash_token(token)


def test_admin_creates_a_link_and_shows_its_url_once(staff_client, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    staff_client.force_login(admin)
    response = staff_client.post("/admin/dashboard/walllink/add/", {"name": "lobby"},
                                 follow=True)
    html = response.content.decode()
    url = re.search(r"(http://testserver/wall/[\w-]+/)", html)[1]
    link = WallLink.objects.get()
    assert (link.name, link.created_by) == ("lobby", admin)
    assert staff_client.get(url.removeprefix("http://testserver")).status_code == 200
    listing = staff_client.get("/admin/dashboard/walllink/").content.decode()
    assert url not in listing and "active" in listing


def test_admin_revoke_action(staff_client, make_user, link):
    wall_link, token = link
    staff_client.force_login(make_user("root", is_staff=True, is_superuser=True))
    staff_client.post("/admin/dashboard/walllink/",
                      {"action": "revoke", "_selected_action": [wall_link.pk]})
    assert WallLink.objects.get().revoked_at is not None
    assert staff_client.get(f"/wall/{token}/").status_code == 403


def test_wall_link_command_creates_and_revokes(client, db):
    out = StringIO()
    call_command("wall_link", "--name", "lobby", "--base-url", "https://tv.example",
                 "--expires-in-days", "2", stdout=out)
    url = out.getvalue().strip().splitlines()[-1]
    assert url.startswith("https://tv.example/wall/")
    path = url.removeprefix("https://tv.example")
    assert client.get(path).status_code == 200
    link = WallLink.objects.get()
    assert dt.timedelta(days=1) < link.expires_at - timezone.now() <= dt.timedelta(days=2)
    call_command("wall_link", "--revoke", "lobby", stdout=StringIO())
    assert client.get(path).status_code == 403
    with pytest.raises(CommandError):
        call_command("wall_link", "--revoke", "lobby", stdout=StringIO())
