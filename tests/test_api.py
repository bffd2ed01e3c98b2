import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


async def test_summary_anonymous_gets_401_json_not_redirect(async_client):
    response = await async_client.get("/api/summary/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "authentication required"


async def test_summary_returns_figures_as_strings(async_client, make_user, make_txn):
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(make_user)()
    now = timezone.now()
    await database_sync_to_async(make_txn)(user, "100.5", when=now - dt.timedelta(minutes=5))
    await database_sync_to_async(make_txn)(
        user, "-20", when=now, description="Taxi", category="Transport"
    )
    await async_client.aforce_login(user)
    body = (await async_client.get("/api/summary/")).json()
    assert body["count"] == 2
    assert body["total_income"] == "100.50"
    assert body["total_expenses"] == "-20.00"
    assert body["net"] == "80.50"
    assert body["average"] == "40.25"
    assert body["latest"]["description"] == "Taxi"
    assert body["latest"]["amount"] == "-20.00"
    assert len(body["trends"]) == 12
    assert body["trends"][-1] == {
        "month": timezone.localdate().strftime("%Y-%m"), "income": "100.50", "expenses": "-20.00"
    }


async def test_summary_refuses_post(async_client, make_user):
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(make_user)()
    await async_client.aforce_login(user)
    assert (await async_client.post("/api/summary/")).status_code == 405
