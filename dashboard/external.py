"""External sources (exchange rates, other systems' KPIs): fetched with a synchronous HTTP
client (requests) on the thread pool, all due sources at once, each with a timeout.

A slow or failing source only marks itself unavailable; it never delays the others past
its own timeout, and never blocks the event loop (``thread_sensitive=False``: plain
HTTP needs no Django thread, and must not queue behind the one that the ORM uses).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import time
from dataclasses import dataclass
from decimal import Decimal

import requests
from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import timezone

from . import services
from .models import ExternalSource

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1024 * 1024
VALUE_MAX_CHARS = 100
_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


class FetchFailed(Exception):
    """Why a source has no value now; shown on its tile."""


@dataclass(frozen=True)
class SourceRequest:
    id: int
    name: str
    url: str
    json_path: str


@dataclass(frozen=True)
class FetchOutcome:
    source_id: int
    name: str
    at: dt.datetime
    value: str | None = None
    error: str = ""


def extract(document: object, path: str) -> object:
    """Follow ``rates.EUR`` or ``data[0].value`` (a leading ``$.`` is allowed) into JSON."""
    node, rest = document, path.strip().removeprefix("$").removeprefix(".")
    position = 0
    while position < len(rest):
        step = _STEP.match(rest, position)
        if step is None:
            raise FetchFailed(f"bad JSON path {path!r} at {rest[position:]!r}")
        key, index = step.groups()
        try:
            node = node[int(index)] if index is not None else node[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            raise FetchFailed(f"the answer has nothing at {path!r}") from None
        position = step.end()
    return node


def _as_text(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise FetchFailed(f"the value is not a number or text but {type(value).__name__}")
    text = str(value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise FetchFailed("the value is not a finite number")
    if len(text) > VALUE_MAX_CHARS:
        raise FetchFailed(f"the value is longer than {VALUE_MAX_CHARS} characters")
    return text


def _read_body(response: requests.Response, deadline: float) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(chunk_size=16384):
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise FetchFailed(f"the answer is larger than {MAX_RESPONSE_BYTES} bytes")
        if time.monotonic() > deadline:  # a server trickling bytes beats a read timeout
            raise FetchFailed("the answer took too long")
    return bytes(body)


def fetch_value(url: str, json_path: str, *, timeout_secs: float) -> str:
    """Fetch one source's value (synchronous: run it on a thread), or ``FetchFailed``."""
    deadline = time.monotonic() + timeout_secs
    try:
        with requests.get(
            url, timeout=timeout_secs, stream=True, headers={"Accept": "application/json"}
        ) as response:
            if response.status_code != 200:
                raise FetchFailed(f"HTTP {response.status_code}")
            body = _read_body(response, deadline)
    except requests.Timeout:
        raise FetchFailed(f"no answer within {timeout_secs:g} s") from None
    except requests.RequestException as error:
        raise FetchFailed(f"cannot reach the source ({type(error).__name__})") from None
    try:
        document = json.loads(body, parse_float=Decimal)
    except ValueError:
        raise FetchFailed("the answer is not JSON") from None
    return _as_text(extract(document, json_path))


_fetch_on_pool = sync_to_async(fetch_value, thread_sensitive=False)


async def fetch_one(source: SourceRequest, *, timeout_secs: float) -> FetchOutcome:
    """One source's outcome; never raises, so one source cannot break the gather."""
    try:
        # The thread cannot be cancelled, but nobody waits for it past the timeout.
        value = await asyncio.wait_for(
            _fetch_on_pool(source.url, source.json_path, timeout_secs=timeout_secs),
            timeout=timeout_secs + 1,
        )
        return _outcome(source, value=value)
    except FetchFailed as failure:
        return _outcome(source, error=str(failure))
    except TimeoutError:
        return _outcome(source, error=f"no answer within {timeout_secs:g} s")
    except Exception as error:
        logger.exception("Fetching external source %s failed", source.name)
        return _outcome(source, error=f"failed: {type(error).__name__}")


def _outcome(source: SourceRequest, *, value: str | None = None, error: str = "") -> FetchOutcome:
    return FetchOutcome(source.id, source.name, timezone.now(), value=value, error=error)


def due_sources(*, now: dt.datetime | None = None, force: bool = False) -> list[SourceRequest]:
    """Enabled sources whose refresh interval has passed since their last attempt."""
    now = now or timezone.now()
    return [
        SourceRequest(source.pk, source.name, source.url, source.json_path)
        for source in ExternalSource.objects.filter(enabled=True)
        if force
        or source.last_attempt_at is None
        or now - source.last_attempt_at >= dt.timedelta(seconds=source.refresh_interval_secs)
    ]


async def refresh_due_sources(*, force: bool = False) -> list[FetchOutcome]:
    """Fetch every due source concurrently, store the outcomes, announce them once."""
    due = await sync_to_async(due_sources)(force=force)
    timeout_secs = settings.EXTERNAL_FETCH_TIMEOUT_SECS
    outcomes = list(await asyncio.gather(*(fetch_one(s, timeout_secs=timeout_secs) for s in due)))
    if outcomes:
        await sync_to_async(services.external_sources_record)(outcomes=outcomes)
    return outcomes


def next_due_in_secs(*, now: dt.datetime | None = None) -> float | None:
    """Seconds until the next enabled source is due (0 if one is), None if there are none."""
    now = now or timezone.now()
    waits = [
        0.0 if s.last_attempt_at is None else
        (s.last_attempt_at + dt.timedelta(seconds=s.refresh_interval_secs) - now).total_seconds()
        for s in ExternalSource.objects.filter(enabled=True)
    ]
    return max(0.0, min(waits)) if waits else None
