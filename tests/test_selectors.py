import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard import selectors


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


def test_user_summary_empty_is_zero(make_user):
    user = make_user()
    assert selectors.user_summary(user_id=user.pk) == selectors.EMPTY_SUMMARY


def test_user_summary_matches_hand_computed_sums(make_user, make_txn):
    user = make_user()
    for amount in ["100.10", "-40.05", "0.00", "2500.00", "-0.01", "-999.99"]:
        make_txn(user, amount)
    summary = selectors.user_summary(user_id=user.pk)
    assert summary.count == 6
    assert summary.total_income == Decimal("2600.10")
    assert summary.total_expenses == Decimal("-1040.05")
    assert summary.net == Decimal("1560.05")
    # 1560.05 / 6 = 260.0083… → 260.01
    assert summary.average == Decimal("260.01")


def test_user_summary_large_amounts_exact_to_the_cent(make_user, make_txn):
    user = make_user()
    make_txn(user, "999999999999.99")
    make_txn(user, "999999999999.99")
    make_txn(user, "-0.01")
    summary = selectors.user_summary(user_id=user.pk)
    assert summary.total_income == Decimal("1999999999999.98")
    assert summary.net == Decimal("1999999999999.97")


def test_user_summary_latest_is_newest_by_time_then_id(make_user, make_txn):
    user = make_user()
    make_txn(user, "1", when=at(2026, 1, 2), description="newest")
    make_txn(user, "2", when=at(2026, 1, 1), description="older")
    assert selectors.user_summary(user_id=user.pk).latest.description == "newest"


def test_user_summary_ignores_other_users(make_user, make_txn):
    alice, bob = make_user(), make_user()
    make_txn(alice, "10")
    make_txn(bob, "-99")
    summary = selectors.user_summary(user_id=alice.pk)
    assert (summary.count, summary.net) == (1, Decimal("10.00"))


def test_user_summary_is_one_query(make_user, make_txn, django_assert_num_queries):
    user = make_user()
    make_txn(user, "5")
    make_txn(user, "-3")
    with django_assert_num_queries(1):
        selectors.user_summary(user_id=user.pk)


def test_monthly_trends_zero_filled_twelve_months(make_user, make_txn):
    user = make_user()
    make_txn(user, "100", when=at(2026, 11, 3))
    make_txn(user, "-30", when=at(2026, 11, 20))
    make_txn(user, "-5", when=at(2026, 9, 1, 0))
    make_txn(user, "1000", when=at(2025, 11, 30))  # 13 months back: outside the window
    trends = selectors.monthly_trends(user_id=user.pk, today=dt.date(2026, 11, 25))
    assert [t.month for t in trends][:2] == [dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert len(trends) == 12
    by_month = {t.month: (t.income, t.expenses) for t in trends}
    assert by_month[dt.date(2026, 11, 1)] == (Decimal("100.00"), Decimal("-30.00"))
    assert by_month[dt.date(2026, 9, 1)] == (Decimal("0.00"), Decimal("-5.00"))
    assert by_month[dt.date(2026, 10, 1)] == (Decimal("0.00"), Decimal("0.00"))


def test_monthly_trends_month_boundary_in_configured_time_zone(make_user, make_txn, settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    user = make_user()
    # 23:30 UTC on 31 October is already 1 November in Amsterdam.
    make_txn(user, "7", when=dt.datetime(2026, 10, 31, 23, 30, tzinfo=dt.UTC))
    with timezone.override("Europe/Amsterdam"):
        trends = selectors.monthly_trends(user_id=user.pk, today=dt.date(2026, 11, 25))
    by_month = {t.month: t.income for t in trends}
    assert by_month[dt.date(2026, 11, 1)] == Decimal("7.00")
    assert by_month[dt.date(2026, 10, 1)] == Decimal("0.00")


def test_monthly_trends_is_one_query(make_user, make_txn, django_assert_num_queries):
    user = make_user()
    make_txn(user, "5")
    with django_assert_num_queries(1):
        selectors.monthly_trends(user_id=user.pk)


def test_recent_transactions_newest_ten(make_user, make_txn):
    user = make_user()
    for day in range(1, 13):
        make_txn(user, str(day), when=at(2026, 3, day))
    recent = selectors.recent_transactions(user_id=user.pk)
    assert [row.amount for row in recent] == [Decimal(d) for d in range(12, 2, -1)]


def test_dashboard_state_is_three_queries(make_user, make_txn, django_assert_num_queries):
    user = make_user()
    make_txn(user, "5")
    with django_assert_num_queries(3):
        selectors.dashboard_state(user_id=user.pk)


@pytest.mark.parametrize(
    ("today", "first"),
    [(dt.date(2026, 1, 15), dt.date(2025, 2, 1)), (dt.date(2026, 12, 31), dt.date(2026, 1, 1))],
)
def test_trend_months_cross_year(today, first):
    months = selectors.trend_months(today=today)
    assert months[0] == first and months[-1] == today.replace(day=1)
