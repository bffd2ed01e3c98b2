"""``Idempotency-Key``: a retried POST gets the first answer, and nothing is created twice."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError
from django.db import transaction as db_transaction

from .models import IdempotencyRecord

KEY_MAX_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    replayed: bool = False


class KeyReused(Exception):  # noqa: N818
    """The key was used before for a different request body."""


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def _stored(user: AbstractBaseUser, key: str, fingerprint: str) -> StoredResponse | None:
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise KeyReused(key)
    return StoredResponse(record.status_code, record.response_body, replayed=True)


def idempotent_call(
    *,
    user: AbstractBaseUser,
    key: str,
    fingerprint: str,
    handle: Callable[[], StoredResponse],
) -> StoredResponse:
    """Run ``handle`` once per (user, key); its writes and the record commit together.

    If two requests with the same key race, the loser's insert of the record fails on
    the unique constraint, which rolls back its writes too; it then answers with the
    winner's record.
    """
    try:
        with db_transaction.atomic():
            stored = _stored(user, key, fingerprint)
            if stored is not None:
                return stored
            response = handle()
            if response.status < 300:  # only successes are replayed
                IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    request_hash=fingerprint,
                    status_code=response.status,
                    response_body=response.body,
                )
            return response
    except IntegrityError:
        stored = _stored(user, key, fingerprint)
        if stored is None:
            raise
        return stored
