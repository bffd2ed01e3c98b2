"""The plumbing shared by the JSON endpoints: reading bodies, errors, auth, method checks."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .apiauth import AuthFailed, api_user
from .inputs import FieldError, InvalidInput

MAX_BODY_BYTES = 1024 * 1024
JSON_CONTENT_TYPE = "application/json"


class ApiError(Exception):
    def __init__(self, status: int, message: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = list(errors)


def error_response(status: int, message: str, errors: Iterable[FieldError] = ()) -> JsonResponse:
    """Every error has the same shape: ``{"error": ..., "errors": [{field, reason, index?}]}``."""
    return JsonResponse(
        {"error": message, "errors": [error.as_json() for error in errors]}, status=status
    )


def _constant_as_decimal(name: str) -> Decimal:
    # NaN and Infinity are not JSON, but Python parses them: keep them as Decimal so that
    # the amount check refuses them with a field and a reason.
    return Decimal(name)


def read_json(request: HttpRequest) -> Any:
    """The body as JSON, numbers as exact ``Decimal`` (never float), or ``ApiError``."""
    if request.content_type != JSON_CONTENT_TYPE:
        raise ApiError(415, f"Content-Type must be {JSON_CONTENT_TYPE}")
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(413, f"the body must be at most {MAX_BODY_BYTES} bytes") from None
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_constant_as_decimal)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, f"the body is not valid JSON: {error}") from None


ApiView = Callable[..., Awaitable[HttpResponse]]


def api_endpoint(*methods: str) -> Callable[[ApiView], ApiView]:
    """An async JSON endpoint: allowed methods, the caller (token or session+CSRF) passed as
    ``user``, and errors answered as JSON rather than HTML pages."""

    def decorate(view: ApiView) -> ApiView:
        @functools.wraps(view)
        async def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error_response(405, f"method {request.method} not allowed")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                user = await api_user(request)
                return await view(request, user, *args, **kwargs)
            except AuthFailed as failure:
                response = error_response(failure.status, failure.reason)
                if failure.status == 401:
                    response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
            except ApiError as error:
                return error_response(error.status, error.message, error.errors)
            except InvalidInput as invalid:
                return error_response(422, "invalid input; nothing was saved", invalid.errors)

        return csrf_exempt(endpoint)

    return decorate
