"""Personal API tokens: how they look and how they are stored (hashed, never in clear)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "ldt_"
# 32 random bytes: far beyond guessing, which is why a fast hash stores them safely.
TOKEN_BYTES = 32
SHOWN_PREFIX_CHARS = 12


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_shown_prefix(raw: str) -> str:
    """The start of a token, stored in clear so people can tell their tokens apart."""
    return raw[:SHOWN_PREFIX_CHARS]
