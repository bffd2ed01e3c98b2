"""The served OpenAPI description covers every JSON route and states the enforced limits."""

from django.urls import get_resolver

from dashboard import api_transactions, jsonapi


def test_openapi_lists_every_api_route(client, db):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    routes = {
        "/" + str(pattern.pattern).replace("<int:txn_id>", "{txn_id}")
        for pattern in get_resolver().url_patterns
        if str(pattern.pattern).startswith("api/") and "openapi" not in str(pattern.pattern)
    }
    assert routes and routes <= set(document["paths"])


def test_openapi_states_the_limits_the_code_enforces(client, db):
    document = client.get("/api/openapi.json").json()
    post = document["paths"]["/api/transactions/"]["post"]
    batch = post["requestBody"]["content"]["application/json"]["schema"]["oneOf"][1]
    assert batch["maxItems"] == api_transactions.MAX_BATCH_ITEMS
    assert str(jsonapi.MAX_BODY_BYTES) in post["responses"]["413"]["description"]
    amount = document["components"]["schemas"]["TransactionIn"]["properties"]["amount"]
    assert amount["type"] == "number" and amount["maximum"] == 999999999999.99
