"""Who is calling the JSON API: a personal token (``Authorization: Bearer …``) or the
browser session, which must then pass Django's CSRF check on unsafe methods."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware

from . import services

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class AuthFailed(Exception):  # noqa: N818
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _csrf_failure(request: HttpRequest) -> str | None:
    # The middleware's own check, run by hand: API views are csrf_exempt so that token
    # calls (which carry no cookie) pass, and session calls are checked here instead.
    response = CsrfViewMiddleware(lambda req: None).process_view(request, None, (), {})
    return None if response is None else "CSRF check failed: send the X-CSRFToken header"


async def api_user(request: HttpRequest) -> AbstractBaseUser:
    """The caller, or ``AuthFailed``. A token, when sent, is the only credential looked at."""
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthFailed(401, "use 'Authorization: Bearer <token>'")
        user = await sync_to_async(services.token_authenticate)(raw=raw.strip())
        if user is None:
            raise AuthFailed(401, "invalid or revoked token")
        return user
    user = await request.auser()
    if not user.is_authenticated:
        raise AuthFailed(401, "authentication required")
    if request.method not in SAFE_METHODS:
        failure = _csrf_failure(request)
        if failure:
            raise AuthFailed(403, failure)
    return user
