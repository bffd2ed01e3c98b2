"""The token settings page: created once in clear, stored hashed, listed, revoked."""

import pytest

from dashboard import services
from dashboard.models import ApiToken
from dashboard.tokens import token_hash


@pytest.fixture
def signed_in(client, make_user):
    user = make_user()
    client.force_login(user)
    return client, user


def test_tokens_page_requires_login(client, db):
    response = client.get("/settings/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_token_create_shows_the_secret_once_and_stores_a_hash(signed_in):
    client, user = signed_in
    response = client.post("/settings/tokens/", {"name": "bank sync"})
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    raw = response.context["raw_token"]
    assert raw.startswith("ldt_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == token_hash(raw) and raw not in token.key_hash
    listing = client.get("/settings/tokens/").content.decode()
    assert "bank sync" in listing and token.prefix in listing and raw not in listing


def test_token_create_without_a_name_is_refused(signed_in):
    client, _ = signed_in
    assert client.post("/settings/tokens/", {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_token_revoke_deletes_own_token_only(signed_in, make_user):
    client, user = signed_in
    mine, _ = services.token_create(user=user, name="mine")
    theirs, _ = services.token_create(user=make_user(), name="theirs")
    assert client.post(f"/settings/tokens/{theirs.pk}/revoke/").status_code == 302
    assert client.post(f"/settings/tokens/{mine.pk}/revoke/").status_code == 302
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]


def test_token_authenticate_refuses_inactive_users(make_user):
    user = make_user(is_active=False)
    _, raw = services.token_create(user=user, name="x")
    assert services.token_authenticate(raw=raw) is None
