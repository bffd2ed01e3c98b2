"""The OpenAPI 3.1 description of the JSON API, served at ``/api/openapi.json``.

Written by hand beside the plain views it describes; ``tests/test_openapi.py`` checks
that every API route is in it and that its limits are the ones the code enforces.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .api_transactions import MAX_BATCH_ITEMS, PAGE_DEFAULT_ITEMS, PAGE_MAX_ITEMS
from .jsonapi import MAX_BODY_BYTES
from .models import AMOUNT_LIMIT, CATEGORY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH

_REF = "#/components/schemas/"


def _errors(*codes: int) -> dict[str, Any]:
    reasons = {
        400: "Malformed JSON, a bad Idempotency-Key", 401: "No or a bad credential",
        403: "Session call without a valid CSRF token", 404: "Not one of your transactions",
        413: f"Body over {MAX_BODY_BYTES} bytes", 415: "Content-Type is not application/json",
        422: "Invalid fields; nothing was saved",
    }
    return {
        str(code): {
            "description": reasons[code],
            "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}},
        }
        for code in codes
    }


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


TRANSACTION = {"$ref": _REF + "Transaction"}
ID_PARAM = {"name": "txn_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict[str, Any] = {
    "TransactionIn": {
        "type": "object",
        "additionalProperties": False,
        "required": ["amount"],
        "properties": {
            "amount": {
                "type": "number", "multipleOf": 0.01,
                "minimum": -float(AMOUNT_LIMIT), "maximum": float(AMOUNT_LIMIT),
                "description": "A JSON number (not a string); positive is income. "
                "Read exactly, never through a float.",
            },
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH},
            "category": {"type": "string", "maxLength": CATEGORY_MAX_LENGTH},
            "created_at": {
                "type": "string", "format": "date-time",
                "description": "ISO 8601; at most a day ahead. Defaults to now.",
            },
        },
    },
    "Transaction": {
        "type": "object",
        "required": ["id", "amount", "description", "category", "created_at"],
        "properties": {
            "id": {"type": "integer"},
            "amount": {"type": "string", "pattern": r"^-?\d+\.\d{2}$"},
            "description": {"type": "string"},
            "category": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "Page": {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": TRANSACTION},
            "next_cursor": {"type": ["string", "null"]},
            "next": {"type": ["string", "null"], "format": "uri"},
        },
    },
    "Error": {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "reason": {"type": "string"},
                        "index": {"type": "integer", "description": "Position in a batch."},
                    },
                },
            },
        },
    },
}


def _transactions_path() -> dict[str, Any]:
    batch = {"type": "array", "minItems": 1, "maxItems": MAX_BATCH_ITEMS,
             "items": {"$ref": _REF + "TransactionIn"}}
    return {
        "get": {
            "summary": "Your transactions, newest first",
            "parameters": [
                {"name": "since", "in": "query",
                 "schema": {"type": "string", "format": "date-time"}},
                {"name": "limit", "in": "query", "schema": {
                    "type": "integer", "minimum": 1, "maximum": PAGE_MAX_ITEMS,
                    "default": PAGE_DEFAULT_ITEMS}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {"200": _ok("A page", {"$ref": _REF + "Page"}), **_errors(401, 422)},
        },
        "post": {
            "summary": f"Add one transaction or a batch of up to {MAX_BATCH_ITEMS}",
            "description": "All or nothing: one database transaction, one screen update.",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {
                "type": "string", "maxLength": 255}, "description": "A retry with the same "
                "key and body returns the first answer and creates nothing."}],
            "requestBody": _json_body({"oneOf": [{"$ref": _REF + "TransactionIn"}, batch]}),
            "responses": {
                "201": _ok("Created", {"oneOf": [TRANSACTION, {
                    "type": "object", "properties": {"items": {"type": "array",
                                                               "items": TRANSACTION}}}]}),
                **_errors(400, 401, 403, 413, 415, 422),
            },
        },
    }


def _detail_path() -> dict[str, Any]:
    partial = {**SCHEMAS["TransactionIn"], "required": []}
    return {
        "parameters": [ID_PARAM],
        "get": {"summary": "One transaction",
                "responses": {"200": _ok("It", TRANSACTION), **_errors(401, 404)}},
        "patch": {"summary": "Change some fields", "requestBody": _json_body(partial),
                  "responses": {"200": _ok("Changed", TRANSACTION),
                                **_errors(400, 401, 403, 404, 413, 415, 422)}},
        "delete": {"summary": "Delete it",
                   "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404)}},
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Live dashboard API", "version": "1"},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "A personal token from /settings/tokens/"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                            "description": "Browser session; unsafe methods need X-CSRFToken"},
            },
        },
        "security": [{"token": []}, {"session": []}],
        "paths": {
            "/api/transactions/": _transactions_path(),
            "/api/transactions/{txn_id}/": _detail_path(),
            "/api/summary/": {"get": {"summary": "Your figures",
                                      "responses": {"200": {"description": "Figures"}}}},
            "/api/external/": {"get": {"summary": "External sources' latest values",
                                       "responses": {"200": {"description": "Sources"}}}},
        },
    }


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(document())
