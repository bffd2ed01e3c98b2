"""The read side: what a dashboard shows, as frozen dataclasses. Never writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db.models import Case, Count, DecimalField, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from .models import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS, ExternalSource, Transaction

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
TREND_MONTHS = 12
RECENT_LIMIT = 10

_MONEY = DecimalField(max_digits=AMOUNT_MAX_DIGITS + 6, decimal_places=AMOUNT_DECIMAL_PLACES)


@dataclass(frozen=True)
class TransactionRow:
    id: int
    amount: Decimal
    description: str
    category: str
    created_at: dt.datetime


@dataclass(frozen=True)
class UserSummary:
    count: int
    total_income: Decimal
    total_expenses: Decimal
    net: Decimal
    average: Decimal
    latest: TransactionRow | None


@dataclass(frozen=True)
class MonthTrend:
    month: dt.date
    income: Decimal
    expenses: Decimal


EMPTY_SUMMARY = UserSummary(
    count=0, total_income=ZERO, total_expenses=ZERO, net=ZERO, average=ZERO, latest=None
)


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


def _row(txn: Transaction) -> TransactionRow:
    return TransactionRow(
        id=txn.pk,
        amount=txn.amount,
        description=txn.description,
        category=txn.category,
        created_at=txn.created_at,
    )


def _signed_sum(condition: Q) -> Sum:
    return Sum(Case(When(condition, then="amount"), default=Value(ZERO), output_field=_MONEY))


def user_summary(*, user_id: int) -> UserSummary:
    """Totals and the latest transaction of one user, in one query.

    The latest row comes back carrying the whole history's totals as window aggregates,
    so figures and latest are read in the same statement and cannot disagree.
    """
    latest = (
        Transaction.objects.filter(user_id=user_id)
        .annotate(
            n=Window(Count("id")),
            income=Window(_signed_sum(Q(amount__gt=0))),
            expenses=Window(_signed_sum(Q(amount__lt=0))),
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None:
        return EMPTY_SUMMARY
    income, expenses = _money(latest.income), _money(latest.expenses)
    net = income + expenses
    return UserSummary(
        count=latest.n,
        total_income=income,
        total_expenses=expenses,
        net=net,
        # Exact decimal division, rounded half-even to the cent (no float average).
        average=(net / latest.n).quantize(CENT, rounding=ROUND_HALF_EVEN),
        latest=_row(latest),
    )


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def trend_months(*, today: dt.date | None = None) -> list[dt.date]:
    """The first days of the last ``TREND_MONTHS`` months, oldest first."""
    today = today or timezone.localdate()
    return [_month_start(today, back) for back in range(TREND_MONTHS - 1, -1, -1)]


def monthly_trends(*, user_id: int, today: dt.date | None = None) -> list[MonthTrend]:
    """Income and expenses per month for the last 12 months (zero-filled), one query."""
    months = trend_months(today=today)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(months[0], dt.time.min, tzinfo=tz)
    rows = (
        Transaction.objects.filter(user_id=user_id, created_at__gte=since)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(
            income=Coalesce(_signed_sum(Q(amount__gt=0)), Value(ZERO), output_field=_MONEY),
            expenses=Coalesce(_signed_sum(Q(amount__lt=0)), Value(ZERO), output_field=_MONEY),
        )
        .order_by("month")
    )
    by_month = {_as_date(row["month"]): row for row in rows}
    return [
        MonthTrend(
            month=month,
            income=_money(by_month.get(month, {}).get("income")),
            expenses=_money(by_month.get(month, {}).get("expenses")),
        )
        for month in months
    ]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def recent_transactions(*, user_id: int, limit: int = RECENT_LIMIT) -> list[TransactionRow]:
    """The user's newest transactions, newest first."""
    return [_row(txn) for txn in Transaction.objects.filter(user_id=user_id)[:limit]]


@dataclass(frozen=True)
class DashboardState:
    """Everything one user's dashboard shows."""

    summary: UserSummary
    trends: list[MonthTrend]
    recent: list[TransactionRow]


def dashboard_state(*, user_id: int) -> DashboardState:
    """The whole dashboard of one user: three queries."""
    return DashboardState(
        summary=user_summary(user_id=user_id),
        trends=monthly_trends(user_id=user_id),
        recent=recent_transactions(user_id=user_id),
    )


def transactions_page(
    *,
    user_id: int,
    since: dt.datetime | None = None,
    before: tuple[dt.datetime, int] | None = None,
    limit: int,
) -> list[TransactionRow]:
    """One page of a user's transactions, newest first, keyset-paginated.

    ``before`` is the (created_at, id) of the last row of the previous page: a page
    never repeats or skips rows when new ones arrive meanwhile, unlike an offset.
    """
    rows = Transaction.objects.filter(user_id=user_id)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if before is not None:
        moment, row_id = before
        rows = rows.filter(Q(created_at__lt=moment) | Q(created_at=moment, id__lt=row_id))
    return [_row(txn) for txn in rows.order_by("-created_at", "-id")[:limit]]


@dataclass(frozen=True)
class ExternalReading:
    """An external source's latest value, or since when it has been unavailable."""

    name: str
    value: str
    unit: str
    fetched_at: dt.datetime | None
    unavailable_since: dt.datetime | None
    error: str

    @property
    def available(self) -> bool:
        return self.fetched_at is not None and self.unavailable_since is None


def external_sources_latest() -> list[ExternalReading]:
    """Every enabled external source's latest reading, by name: one query."""
    return [
        ExternalReading(
            name=source.name,
            value=source.value,
            unit=source.unit,
            fetched_at=source.fetched_at,
            unavailable_since=source.unavailable_since,
            error=source.last_error,
        )
        for source in ExternalSource.objects.filter(enabled=True).order_by("name")
    ]
