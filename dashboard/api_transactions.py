"""``/api/transactions/``: create (one or a batch), list, read, edit, delete.

Plain async Django views (see README, "Transactions API", for why not a framework).
A batch is one database transaction and one announcement to the owner's screens.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import selectors, services
from .idempotency import (
    KEY_MAX_LENGTH,
    KeyReused,
    StoredResponse,
    idempotent_call,
    request_fingerprint,
)
from .inputs import (
    FieldError,
    InvalidInput,
    TransactionInput,
    clean_moment,
    parse_batch,
    parse_fields,
)
from .jsonapi import ApiError, api_endpoint, read_json
from .models import Transaction

MAX_BATCH_ITEMS = 1000
PAGE_DEFAULT_ITEMS = 50
PAGE_MAX_ITEMS = 500


def transaction_json(row: Transaction | selectors.TransactionRow) -> dict[str, Any]:
    """One transaction as JSON: money as a string with two decimals, never a float."""
    return {
        "id": row.id,
        "amount": f"{row.amount:.2f}",
        "description": row.description,
        "category": row.category,
        "created_at": row.created_at.isoformat(),
    }


def _json(data: object, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False)


# -- create ---------------------------------------------------------------------------


def _parse_create_body(data: object) -> tuple[list[TransactionInput], bool]:
    if isinstance(data, dict):
        return [TransactionInput(**parse_fields(data))], True
    if not isinstance(data, list):
        raise InvalidInput([FieldError("", "the body must be an object or a list of objects")])
    if not 1 <= len(data) <= MAX_BATCH_ITEMS:
        raise InvalidInput(
            [FieldError("", f"a batch holds 1 to {MAX_BATCH_ITEMS} items, not {len(data)}")]
        )
    return parse_batch(data), False


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= KEY_MAX_LENGTH and key.isprintable()):
        raise ApiError(400, f"Idempotency-Key must be 1 to {KEY_MAX_LENGTH} printable characters")
    return key


async def _create(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    items, single = _parse_create_body(read_json(request))
    key = _idempotency_key(request)

    def handle() -> StoredResponse:
        rows = [transaction_json(row) for row in services.transactions_create_many(
            user=user, items=items
        )]
        return StoredResponse(201, json.dumps(rows[0] if single else {"items": rows}))

    if key is None:
        stored = await sync_to_async(handle)()
    else:
        fingerprint = request_fingerprint(request.method or "", request.path, request.body)
        try:
            stored = await sync_to_async(idempotent_call)(
                user=user, key=key, fingerprint=fingerprint, handle=handle
            )
        except KeyReused:
            raise ApiError(422, "this Idempotency-Key was used for a different request") from None
    response = HttpResponse(stored.body, status=stored.status, content_type="application/json")
    if stored.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


# -- list -----------------------------------------------------------------------------


def encode_cursor(row: selectors.TransactionRow) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, row_id = raw.partition("|")
        return dt.datetime.fromisoformat(moment), int(row_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput([FieldError("cursor", "is not a cursor this API gave out")]) from None


def _limit(text: str | None) -> int:
    if text is None:
        return PAGE_DEFAULT_ITEMS
    if not text.isdigit() or not 1 <= int(text) <= PAGE_MAX_ITEMS:
        reason = f"must be a whole number from 1 to {PAGE_MAX_ITEMS}"
        raise InvalidInput([FieldError("limit", reason)])
    return int(text)


def _since(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return clean_moment(text)
    except ValueError as error:
        raise InvalidInput([FieldError("since", str(error))]) from None


async def _list(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    limit, since = _limit(request.GET.get("limit")), _since(request.GET.get("since"))
    cursor = request.GET.get("cursor")
    before = decode_cursor(cursor) if cursor else None
    rows = await sync_to_async(selectors.transactions_page)(
        user_id=user.pk, since=since, before=before, limit=limit + 1
    )
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    query = {k: v for k, v in request.GET.items() if k != "cursor"}
    next_url = None
    if next_cursor:
        next_url = request.build_absolute_uri(
            f"{request.path}?{urlencode({**query, 'cursor': next_cursor})}"
        )
    return _json(
        {
            "items": [transaction_json(row) for row in rows[:limit]],
            "next_cursor": next_cursor,
            "next": next_url,
        }
    )


@api_endpoint("GET", "POST")
async def transactions(request: HttpRequest, user: AbstractBaseUser) -> HttpResponse:
    """``GET`` the caller's transactions, newest first; ``POST`` one or a batch."""
    if request.method == "POST":
        return await _create(request, user)
    return await _list(request, user)


# -- one transaction ------------------------------------------------------------------


@api_endpoint("GET", "PATCH", "DELETE")
async def transaction_detail(
    request: HttpRequest, user: AbstractBaseUser, txn_id: int
) -> HttpResponse:
    """One of the caller's transactions; someone else's is 404, as if it did not exist."""
    txn = await Transaction.objects.filter(pk=txn_id, user=user).afirst()
    if txn is None:
        raise ApiError(404, "no such transaction")
    if request.method == "PATCH":
        fields = parse_fields(read_json(request), partial=True)
        txn = await sync_to_async(services.transaction_update)(txn=txn, **fields)
    elif request.method == "DELETE":
        await sync_to_async(services.transaction_delete)(txn=txn)
        return HttpResponse(status=204)
    return _json(transaction_json(txn))
