"""JSON endpoints. Async views: they await the database through ``sync_to_async``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import selectors
from .jsonapi import api_endpoint


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _row_json(row: selectors.TransactionRow | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "amount": _money(row.amount),
        "description": row.description,
        "category": row.category,
        "created_at": row.created_at.isoformat(),
    }


def summary_json(
    summary: selectors.UserSummary, trends: list[selectors.MonthTrend]
) -> dict[str, Any]:
    """The summary as JSON: money as strings with two decimals, never floats."""
    return {
        "count": summary.count,
        "total_income": _money(summary.total_income),
        "total_expenses": _money(summary.total_expenses),
        "net": _money(summary.net),
        "average": _money(summary.average),
        "latest": _row_json(summary.latest),
        "trends": [
            {
                "month": trend.month.strftime("%Y-%m"),
                "income": _money(trend.income),
                "expenses": _money(trend.expenses),
            }
            for trend in trends
        ],
    }


@sync_to_async
def _read_summary(user_id: int) -> dict[str, Any]:
    # Both reads in one hop to the sync thread: one thread switch, not one per query.
    return summary_json(
        selectors.user_summary(user_id=user_id), selectors.monthly_trends(user_id=user_id)
    )


@require_GET
async def summary(request: HttpRequest) -> JsonResponse:
    """``GET /api/summary/``: the signed-in user's figures; 401 JSON when signed out."""
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse(
            {"error": "authentication required", "login_url": "/accounts/login/"}, status=401
        )
    return JsonResponse(await _read_summary(user.pk))


def _moment(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def external_json(reading: selectors.ExternalReading) -> dict[str, Any]:
    return {
        "name": reading.name,
        "value": reading.value,
        "unit": reading.unit,
        "available": reading.available,
        "fetched_at": _moment(reading.fetched_at),
        "unavailable_since": _moment(reading.unavailable_since),
        "error": reading.error,
    }


@api_endpoint("GET")
async def external(request: HttpRequest, user: AbstractBaseUser) -> JsonResponse:
    """``GET /api/external/``: every source's latest value and when it was fetched."""
    readings = await sync_to_async(selectors.external_sources_latest)()
    return JsonResponse({"sources": [external_json(reading) for reading in readings]})
