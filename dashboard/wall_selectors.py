"""The read side of the operators' wall: organisation-wide figures, as frozen dataclasses.

Every query but one reads a range of ``created_at`` through ``txn_created_idx``, so it costs
what the range holds (today, the last 15 minutes, the last hour), not the whole history. The
exception is the history before today, which a caller may pass in from a cache (``before``):
it only changes when a write touches an earlier day (see ``live.wallcache``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Abs, Coalesce
from django.utils import timezone

from .models import Transaction, WallLink
from .selectors import _MONEY, ZERO, _money

FEED_LIMIT = 20
TOP_CATEGORIES_LIMIT = 6
LARGEST_LIMIT = 5
RATE_MINUTES = 15
UNCATEGORISED = "Uncategorised"


@dataclass(frozen=True)
class Totals:
    count: int
    income: Decimal
    expenses: Decimal

    @property
    def net(self) -> Decimal:
        return self.income + self.expenses

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            count=self.count + other.count,
            income=self.income + other.income,
            expenses=self.expenses + other.expenses,
        )


NO_TOTALS = Totals(count=0, income=ZERO, expenses=ZERO)


@dataclass(frozen=True)
class WallRow:
    """One transaction as the wall shows it: no description, a name only when allowed."""

    id: int
    amount: Decimal
    category: str
    created_at: dt.datetime
    name: str  # "" when names are off


@dataclass(frozen=True)
class CategoryVolume:
    category: str
    count: int
    volume: Decimal  # income and expenses alike, as magnitudes


@dataclass(frozen=True)
class HourComparison:
    last_hour: int
    same_hour_yesterday: int

    @property
    def change_percent(self) -> int | None:
        """Whole percent up or down; ``None`` when yesterday had none to compare with."""
        if not self.same_hour_yesterday:
            return None
        change = (self.last_hour - self.same_hour_yesterday) * 100
        return round(change / self.same_hour_yesterday)

    @property
    def change_size(self) -> int | None:
        """The change without its sign (the page shows the direction with a word and arrow)."""
        percent = self.change_percent
        return None if percent is None else abs(percent)


@dataclass(frozen=True)
class WallFigures:
    as_of: dt.datetime
    today: Totals
    all_time: Totals
    rate: list[int]  # transactions per minute, oldest first, the current minute last
    hour: HourComparison
    feed: list[WallRow]
    top_categories: list[CategoryVolume]
    largest: list[WallRow]


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight of ``now``'s day in the current time zone (``settings.TIME_ZONE``)."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(timezone.localdate(now, tz), dt.time.min, tzinfo=tz)


def _totals(prefix: str = "", where: Q | None = None) -> dict[str, Aggregate]:
    where = where or Q()
    return {
        f"{prefix}n": Count("id", filter=where),
        f"{prefix}income": Sum("amount", filter=where & Q(amount__gt=0), output_field=_MONEY),
        f"{prefix}expenses": Sum("amount", filter=where & Q(amount__lt=0), output_field=_MONEY),
    }


def _as_totals(row: dict[str, Any], prefix: str = "") -> Totals:
    return Totals(count=row[f"{prefix}n"] or 0, income=_money(row[f"{prefix}income"]),
                  expenses=_money(row[f"{prefix}expenses"]))


def totals_before(moment: dt.datetime) -> Totals:
    """Everything before ``moment``: the one query that reads the whole history."""
    return _as_totals(Transaction.objects.filter(created_at__lt=moment).aggregate(**_totals()))


def _today_and_later(start: dt.datetime, end: dt.datetime) -> tuple[Totals, Totals]:
    """Today's totals, and everything from today's start on (future-dated rows too)."""
    row = Transaction.objects.filter(created_at__gte=start).aggregate(
        **_totals("today_", Q(created_at__lt=end)), **_totals()
    )
    return _as_totals(row, "today_"), _as_totals(row)


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def rate_per_minute(now: dt.datetime, minutes: int = RATE_MINUTES) -> list[int]:
    """Transactions in each of the last ``minutes`` whole minutes, the current one last."""
    first = _minute(now) - dt.timedelta(minutes=minutes - 1)
    times = Transaction.objects.filter(created_at__gte=first, created_at__lte=now).values_list(
        "created_at", flat=True
    )
    counts = [0] * minutes
    for moment in times:
        counts[int((moment - first).total_seconds() // 60)] += 1
    return counts


def hour_comparison(now: dt.datetime) -> HourComparison:
    """The last 60 minutes against the same 60 minutes a day earlier, in one query."""
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    last = Q(created_at__gt=now - hour, created_at__lte=now)
    yesterday = Q(created_at__gt=now - day - hour, created_at__lte=now - day)
    row = Transaction.objects.filter(last | yesterday).aggregate(
        last=Count("id", filter=last), yesterday=Count("id", filter=yesterday)
    )
    return HourComparison(last_hour=row["last"], same_hour_yesterday=row["yesterday"])


def _rows(queryset: QuerySet[Transaction], show_names: bool) -> list[WallRow]:
    if show_names:
        queryset = queryset.select_related("user")
    return [
        WallRow(
            id=txn.pk, amount=txn.amount, category=txn.category or UNCATEGORISED,
            created_at=txn.created_at,
            name=(txn.user.get_full_name() or txn.user.get_username()) if show_names else "",
        )
        for txn in queryset.only("id", "amount", "category", "created_at", "user_id",
                                 *(["user"] if show_names else []))
    ]


def latest_feed(*, show_names: bool, limit: int = FEED_LIMIT) -> list[WallRow]:
    """The newest transactions of everybody, newest first."""
    return _rows(Transaction.objects.order_by("-created_at", "-id")[:limit], show_names)


def top_categories(start: dt.datetime, end: dt.datetime,
                   limit: int = TOP_CATEGORIES_LIMIT) -> list[CategoryVolume]:
    """Today's categories by money moved (income and expenses as magnitudes)."""
    rows = (
        Transaction.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("category")
        .annotate(n=Count("id"), volume=Coalesce(Sum(Abs("amount"), output_field=_MONEY), ZERO,
                                                 output_field=_MONEY))
        .order_by("-volume", "category")[:limit]
    )
    return [
        CategoryVolume(category=row["category"] or UNCATEGORISED, count=row["n"],
                       volume=_money(row["volume"]))
        for row in rows
    ]


def largest_today(start: dt.datetime, end: dt.datetime, *, show_names: bool,
                  limit: int = LARGEST_LIMIT) -> list[WallRow]:
    """Today's largest transactions by magnitude, income and expenses alike."""
    queryset = Transaction.objects.filter(created_at__gte=start, created_at__lt=end).order_by(
        Abs(F("amount")).desc(), "-created_at", "-id"
    )[:limit]
    return _rows(queryset, show_names)


def wall_figures(*, show_names: bool, now: dt.datetime | None = None,
                 before_today: Totals | None = None) -> WallFigures:
    """Everything the wall shows, as of ``now``: six indexed range queries.

    ``before_today`` is ``totals_before(day_start(now))``; pass a cached copy to spare the
    one query that reads the whole history.
    """
    now = now or timezone.now()
    start = day_start(now)
    end = start + dt.timedelta(days=1)
    today, from_today_on = _today_and_later(start, end)
    if before_today is None:
        before_today = totals_before(start)
    return WallFigures(
        as_of=now,
        today=today,
        all_time=before_today + from_today_on,
        rate=rate_per_minute(now),
        hour=hour_comparison(now),
        feed=latest_feed(show_names=show_names),
        top_categories=top_categories(start, end),
        largest=largest_today(start, end, show_names=show_names),
    )


def wall_link_for_token(token: str) -> WallLink | None:
    """The wall link whose token this is, whatever its state; ``None`` if there is none."""
    return WallLink.objects.filter(token_hash=WallLink.hash_token(token)).first()
