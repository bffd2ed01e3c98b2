"""``/api/transactions/`` end to end: request in, row and frame out; bad input saves nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.utils import timezone

from dashboard import services
from dashboard.models import ApiToken, Transaction
from live import broadcast

from .livetools import GroupProbe, connect, figure

pytestmark = pytest.mark.django_db(transaction=True)

count_rows = sync_to_async(lambda **f: Transaction.objects.filter(**f).count())


@pytest.fixture
async def alice(make_user):
    return await sync_to_async(make_user)("alice")


@pytest.fixture
async def bob(make_user):
    return await sync_to_async(make_user)("bob")


async def token_for(user) -> str:
    _, raw = await sync_to_async(services.token_create)(user=user, name="tests")
    return raw


class HeaderClient(AsyncClient):
    """An AsyncClient sending fixed headers on every request.

    (AsyncClient(headers=...) turns them into WSGI names, which ASGI requests then drop.)
    """

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__()
        self.fixed_headers = headers

    def generic(self, method, path, *args, headers=None, **kwargs):  # type: ignore[override]
        merged = {**self.fixed_headers, **(headers or {})}
        return super().generic(method, path, *args, headers=merged, **kwargs)


async def bearer_client(user) -> HeaderClient:
    return HeaderClient({"Authorization": f"Bearer {await token_for(user)}"})


@pytest.fixture
async def api(alice):
    """An API client authenticated as alice with a Bearer token."""
    return await bearer_client(alice)


async def post(client, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return await client.post(
        "/api/transactions/", data, content_type="application/json", headers=headers
    )


async def test_post_one_with_token_saves_and_pushes_a_frame(alice, api):
    ws = await connect(user=alice)
    assert (await ws.connect())[0]
    await ws.receive_from()  # snapshot
    response = await post(api, {"amount": 12.5, "description": "Refund", "category": "Refund"})
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == "12.50" and body["description"] == "Refund"
    txn = await Transaction.objects.aget(pk=body["id"])
    assert (txn.user_id, txn.amount) == (alice.pk, Decimal("12.50"))
    frame = await ws.receive_from()
    assert (figure(frame, "count"), figure(frame, "income")) == ("1", "+12.50")
    await ws.disconnect()


async def test_post_batch_is_one_transaction_and_one_announcement(alice, api):
    probe = await GroupProbe(broadcast.user_group(alice.pk)).join()
    batch = [{"amount": cents / 100, "description": f"n{cents}"} for cents in range(1, 1001)]
    response = await post(api, batch)
    assert response.status_code == 201
    items = response.json()["items"]
    assert len(items) == 1000 and items[0]["amount"] == "0.01"
    assert await count_rows(user=alice) == 1000
    assert await probe.received() == [{"type": "summary.changed"}]
    await probe.leave()


async def test_post_batch_pushes_exact_figures_in_one_frame(alice, api):
    ws = await connect(user=alice)
    assert (await ws.connect())[0]
    await ws.receive_from()
    await post(api, [{"amount": 100}, {"amount": -30.25}, {"amount": 0.25}])
    frame = await ws.receive_from()
    assert (figure(frame, "count"), figure(frame, "net")) == ("3", "+70.00")
    await ws.disconnect()


async def test_amounts_are_read_exactly_not_through_float(api):
    response = await post(api, '{"amount": 999999999999.99}')
    assert response.json()["amount"] == "999999999999.99"
    assert (await Transaction.objects.aget()).amount == Decimal("999999999999.99")


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ('{"amount": NaN}', "amount", "finite"),
        ('{"amount": Infinity}', "amount", "finite"),
        ('{"amount": 1e400}', "amount", "between"),
        ('{"amount": 1.234}', "amount", "2 decimal places"),
        ('{"amount": 1000000000000}', "amount", "between"),
        ('{"amount": "12.50"}', "amount", "not a string"),
        ('{"amount": true}', "amount", "not a boolean"),
        ('{"amount": null}', "amount", "not null"),
        ('{"description": "no amount"}', "amount", "is required"),
        ('{"amount": 1, "colour": "red"}', "colour", "unknown field"),
        ('{"amount": 1, "user": 2}', "user", "unknown field"),
        ('{"amount": 1, "description": "' + "x" * 201 + '"}', "description", "at most 200"),
        ('{"amount": 1, "category": 7}', "category", "must be a string"),
        ('{"amount": 1, "created_at": "yesterday"}', "created_at", "not an ISO 8601"),
        ('{"amount": 1, "created_at": "2024-02-30"}', "created_at", "not an ISO 8601"),
        ('{"amount": 1, "created_at": "2999-01-01T00:00:00Z"}', "created_at", "future"),
        ('"just a string"', "", "object or a list"),
        ("[]", "", "1 to 1000 items"),
    ],
)
async def test_invalid_fields_are_refused_with_field_and_reason(api, body, field, reason):
    response = await post(api, body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e["field"] == field and reason in e["reason"] for e in errors), errors
    assert await count_rows() == 0


async def test_one_bad_item_saves_none_of_the_batch(api):
    batch = [{"amount": 1}, {"amount": 2}, {"amount": "3"}, {"amount": 4, "x": 1}]
    response = await post(api, batch)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(2, "amount"), (3, "x")]
    assert await count_rows() == 0


async def test_batch_over_the_limit_is_refused(api):
    response = await post(api, [{"amount": 1}] * 1001)
    assert response.status_code == 422
    assert "1 to 1000 items" in response.json()["errors"][0]["reason"]
    assert await count_rows() == 0


async def test_body_over_one_mib_is_refused_with_413(api):
    body = json.dumps([{"amount": 1, "description": "x" * 200}] * 5000)
    assert len(body) > 1024 * 1024
    response = await post(api, body)
    assert response.status_code == 413
    assert await count_rows() == 0


async def test_wrong_content_type_is_refused_with_415(api):
    response = await api.post("/api/transactions/", {"amount": "1"})  # a form post
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert await count_rows() == 0


async def test_malformed_json_is_refused_with_400(api):
    response = await post(api, '{"amount": 1,')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]


async def test_idempotency_key_replays_the_first_answer(api, alice):
    first = await post(api, [{"amount": 5}, {"amount": 6}], **{"Idempotency-Key": "k-1"})
    again = await post(api, [{"amount": 5}, {"amount": 6}], **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert await count_rows(user=alice) == 2


async def test_idempotency_key_reused_for_another_body_is_refused(api):
    await post(api, {"amount": 5}, **{"Idempotency-Key": "k-2"})
    response = await post(api, {"amount": 7}, **{"Idempotency-Key": "k-2"})
    assert response.status_code == 422
    assert await count_rows() == 1


async def test_idempotency_keys_are_per_user(api, bob):
    bob_api = await bearer_client(bob)
    await post(api, {"amount": 5}, **{"Idempotency-Key": "same"})
    response = await post(bob_api, {"amount": 5}, **{"Idempotency-Key": "same"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert await count_rows() == 2


async def test_anonymous_and_bad_tokens_get_401(db):
    assert (await post(AsyncClient(), {"amount": 1})).status_code == 401
    bad = HeaderClient({"Authorization": "Bearer ldt_not-a-token"})
    assert (await post(bad, {"amount": 1})).status_code == 401
    basic = HeaderClient({"Authorization": "Basic YTpi"})
    response = await post(basic, {"amount": 1})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert await count_rows() == 0


async def test_revoked_token_is_refused(alice):
    raw = await token_for(alice)
    token = await ApiToken.objects.aget(user=alice)
    await sync_to_async(services.token_revoke)(user=alice, token_id=token.pk)
    client = HeaderClient({"Authorization": f"Bearer {raw}"})
    assert (await post(client, {"amount": 1})).status_code == 401


async def test_token_use_is_recorded(api, alice):
    await api.get("/api/transactions/")
    assert (await ApiToken.objects.aget(user=alice)).last_used_at is not None


async def test_session_post_needs_csrf(alice):
    client = AsyncClient(enforce_csrf_checks=True)
    await client.aforce_login(alice)
    assert (await post(client, {"amount": 1})).status_code == 403
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = await post(client, {"amount": 1}, **{"X-CSRFToken": secret})
    assert response.status_code == 201
    assert await count_rows(user=alice) == 1


async def test_token_reaches_only_its_owners_transactions(api, alice, bob, make_txn):
    bobs = await sync_to_async(make_txn)(bob, "-50", description="bob's")
    mine = await sync_to_async(make_txn)(alice, "10")
    assert (await api.get(f"/api/transactions/{bobs.pk}/")).status_code == 404
    response = await api.patch(
        f"/api/transactions/{bobs.pk}/", {"amount": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert (await api.delete(f"/api/transactions/{bobs.pk}/")).status_code == 404
    listed = (await api.get("/api/transactions/")).json()["items"]
    assert [item["id"] for item in listed] == [mine.pk]
    assert (await Transaction.objects.aget(pk=bobs.pk)).amount == Decimal("-50")


async def test_list_is_newest_first_with_cursor_pages_and_since(api, alice, make_txn):
    now = timezone.now()
    made = [
        await sync_to_async(make_txn)(alice, str(n), when=now - dt.timedelta(hours=n))
        for n in range(1, 6)
    ]
    seen, url = [], "/api/transactions/?limit=2"
    while url:
        page = (await api.get(url)).json()
        assert len(page["items"]) <= 2
        seen.extend(item["id"] for item in page["items"])
        url = page["next"]
    assert seen == [txn.pk for txn in made]  # newest first, no repeats, none missing
    since = (now - dt.timedelta(hours=2, minutes=30)).isoformat()
    recent = (await api.get("/api/transactions/", {"since": since})).json()
    assert [item["id"] for item in recent["items"]] == [made[0].pk, made[1].pk]
    assert recent["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("since=soon", "since"),
        ("cursor=%%%", "cursor"),
    ],
)
async def test_list_bad_parameters_are_refused(api, query, field):
    response = await api.get(f"/api/transactions/?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_patch_and_delete_push_frames(api, alice, make_txn):
    txn = await sync_to_async(make_txn)(alice, "10")
    ws = await connect(user=alice)
    assert (await ws.connect())[0]
    await ws.receive_from()
    response = await api.patch(
        f"/api/transactions/{txn.pk}/", {"amount": -4.5}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["amount"] == "-4.50"
    assert figure(await ws.receive_from(), "expenses") == "-4.50"
    assert (await api.delete(f"/api/transactions/{txn.pk}/")).status_code == 204
    assert figure(await ws.receive_from(), "count") == "0"
    await ws.disconnect()


async def test_patch_with_bad_field_changes_nothing(api, alice, make_txn):
    txn = await sync_to_async(make_txn)(alice, "10")
    response = await api.patch(
        f"/api/transactions/{txn.pk}/", {"amount": 1.001, "description": "new"},
        content_type="application/json",
    )
    assert response.status_code == 422
    fresh = await Transaction.objects.aget(pk=txn.pk)
    assert (fresh.amount, fresh.description) == (Decimal("10.00"), "")


async def test_unsupported_method_is_405_json(api):
    response = await api.put("/api/transactions/", {}, content_type="application/json")
    assert response.status_code == 405 and response["Allow"] == "GET, POST"
