"""The wall's figures against hand-computed values, time zones and query plans included."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard import wall_selectors as ws
from dashboard.models import WallLink
from dashboard.services import wall_link_create, wall_link_revoke

NOW = dt.datetime(2026, 3, 10, 15, 30, 20, tzinfo=dt.UTC)


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def test_wall_figures_empty_is_zero(db):
    figures = ws.wall_figures(show_names=False, now=NOW)
    assert figures.today == figures.all_time == ws.NO_TOTALS
    assert figures.rate == [0] * 15
    assert figures.feed == figures.largest == figures.top_categories == []
    assert figures.hour.change_percent is None


def test_wall_figures_totals_match_hand_computed_sums(make_user, make_txn):
    alice, bob = make_user(), make_user()
    # Today (UTC): +100.10, -40.05, +2500.00, -0.01 → 4 rows, income 2600.10, expenses -40.06
    make_txn(alice, "100.10", when=ago(hours=15))  # 00:30 today
    make_txn(bob, "-40.05", when=ago(minutes=1))
    make_txn(alice, "2500.00", when=ago(seconds=1))
    make_txn(bob, "-0.01", when=ago(hours=2))
    # Before today: +10.00, -999.99
    make_txn(alice, "10.00", when=ago(days=3))
    make_txn(bob, "-999.99", when=ago(hours=15, minutes=31))  # 23:59 yesterday
    figures = ws.wall_figures(show_names=False, now=NOW)
    assert figures.today == ws.Totals(4, Decimal("2600.10"), Decimal("-40.06"))
    assert figures.today.net == Decimal("2560.04")
    assert figures.all_time == ws.Totals(6, Decimal("2610.10"), Decimal("-1040.05"))
    assert figures.all_time.net == Decimal("1570.05")


def test_wall_figures_today_starts_at_local_midnight(make_user, make_txn, settings):
    settings.TIME_ZONE = "America/New_York"  # UTC-4 on 10 March 2026 (DST began on the 8th)
    user = make_user()
    with timezone.override(ZoneInfo("America/New_York")):
        make_txn(user, "1.00", when=dt.datetime(2026, 3, 10, 3, 59, 59, tzinfo=dt.UTC))
        make_txn(user, "2.00", when=dt.datetime(2026, 3, 10, 4, 0, 0, tzinfo=dt.UTC))
        make_txn(user, "4.00", when=dt.datetime(2026, 3, 11, 3, 59, 59, tzinfo=dt.UTC))
        make_txn(user, "8.00", when=dt.datetime(2026, 3, 11, 4, 0, 0, tzinfo=dt.UTC))  # tomorrow
        figures = ws.wall_figures(show_names=False, now=NOW)
    # Local today is [04:00 UTC 10 Mar, 04:00 UTC 11 Mar): 2.00 and 4.00.
    assert figures.today == ws.Totals(2, Decimal("6.00"), Decimal("0.00"))
    assert figures.all_time == ws.Totals(4, Decimal("15.00"), Decimal("0.00"))


def test_wall_figures_cached_history_gives_the_same_totals(make_user, make_txn):
    user = make_user()
    make_txn(user, "7.00", when=ago(days=400))
    make_txn(user, "-3.00", when=ago(minutes=5))
    before = ws.totals_before(ws.day_start(NOW))
    assert before == ws.Totals(1, Decimal("7.00"), Decimal("0.00"))
    assert ws.wall_figures(show_names=False, now=NOW, before_today=before) == ws.wall_figures(
        show_names=False, now=NOW
    )


def test_rate_per_minute_counts_each_minute_current_last(make_user, make_txn):
    user = make_user()
    make_txn(user, "1", when=ago(seconds=5))  # 15:30:15, current minute
    make_txn(user, "1", when=ago(seconds=20))  # 15:30:00, current minute
    make_txn(user, "1", when=ago(seconds=21))  # 15:29:59
    make_txn(user, "1", when=NOW.replace(minute=16, second=0))  # first of the 15
    make_txn(user, "1", when=NOW.replace(minute=15, second=59))  # too old
    make_txn(user, "1", when=NOW + dt.timedelta(seconds=1))  # not yet
    rate = ws.rate_per_minute(NOW)
    assert rate == [1] + [0] * 12 + [1, 2]


def test_hour_comparison_against_same_hour_yesterday(make_user, make_txn):
    user = make_user()
    for minutes in (1, 30, 59):
        make_txn(user, "1", when=ago(minutes=minutes))
    make_txn(user, "1", when=ago(minutes=61))  # neither hour
    make_txn(user, "1", when=ago(days=1, minutes=10))
    make_txn(user, "1", when=ago(days=1, minutes=50))
    hour = ws.hour_comparison(NOW)
    assert (hour.last_hour, hour.same_hour_yesterday, hour.change_percent) == (3, 2, 50)


def test_feed_is_latest_twenty_newest_first_without_names(make_user, make_txn):
    user = make_user("carol.secret", first_name="Carol", last_name="Secret")
    for index in range(25):
        make_txn(user, str(index + 1), when=ago(minutes=25 - index), category="Dining",
                 description=f"private note {index}")
    feed = ws.latest_feed(show_names=False)
    assert [row.amount for row in feed] == [Decimal(n) for n in range(25, 5, -1)]
    assert {row.name for row in feed} == {""}
    assert "description" not in ws.WallRow.__dataclass_fields__


def test_feed_shows_full_name_or_username_when_names_on(make_user, make_txn):
    make_txn(make_user("dave", first_name="Dave", last_name="Lister"), "1", when=ago(minutes=2))
    make_txn(make_user("erin"), "2", when=ago(minutes=1), category="")
    feed = ws.latest_feed(show_names=True)
    assert [(row.name, row.category) for row in feed] == [
        ("erin", "Uncategorised"), ("Dave Lister", "Uncategorised"),
    ]


def test_top_categories_and_largest_today(make_user, make_txn):
    user = make_user()
    make_txn(user, "-50.00", when=ago(minutes=3), category="Rent")
    make_txn(user, "-60.00", when=ago(minutes=4), category="Rent")
    make_txn(user, "100.00", when=ago(minutes=5), category="Salary")
    make_txn(user, "-5.00", when=ago(minutes=6), category="")
    make_txn(user, "-5000.00", when=ago(days=1), category="Old")  # yesterday: not today
    start = ws.day_start(NOW)
    end = start + dt.timedelta(days=1)
    assert ws.top_categories(start, end) == [
        ws.CategoryVolume("Rent", 2, Decimal("110.00")),
        ws.CategoryVolume("Salary", 1, Decimal("100.00")),
        ws.CategoryVolume("Uncategorised", 1, Decimal("5.00")),
    ]
    largest = ws.largest_today(start, end, show_names=False, limit=3)
    assert [row.amount for row in largest] == [Decimal("100.00"), Decimal("-60.00"),
                                               Decimal("-50.00")]


def test_wall_figures_is_seven_queries_or_six_with_cached_history(make_user, make_txn,
                                                                  django_assert_num_queries):
    make_txn(make_user(), "5", when=ago(minutes=1))
    with django_assert_num_queries(7):
        ws.wall_figures(show_names=True, now=NOW)
    with django_assert_num_queries(6):
        ws.wall_figures(show_names=True, now=NOW, before_today=ws.NO_TOTALS)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_wall_range_queries_use_the_created_at_index(make_user, make_txn):
    make_txn(make_user(), "5", when=ago(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        ws.wall_figures(show_names=False, now=NOW, before_today=ws.NO_TOTALS)
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "txn_created_idx" in plan, (sql, plan)


def test_wall_link_for_token_finds_by_hash_only(db):
    link, token = wall_link_create(name="lobby")
    assert ws.wall_link_for_token(token) == link
    assert ws.wall_link_for_token(token + "x") is None
    assert ws.wall_link_for_token(link.token_hash) is None  # the hash is not the token
    assert link.problem() is None
    wall_link_revoke(link=link)
    assert WallLink.objects.get().problem() == "revoked"
