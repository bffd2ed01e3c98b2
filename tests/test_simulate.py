"""The simulator writes plausible traffic through the same paths, and screens see it."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Max, Min

from dashboard.models import ApiToken, Transaction
from dashboard.simulation import KINDS, simulated_transaction

from .livetools import connect, figure


def simulate(*args: str) -> str:
    out = io.StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_simulated_transactions_are_plausible():
    rng = random.Random(3)
    items = [simulated_transaction(rng) for _ in range(5000)]
    by_category = {kind.category for kind in KINDS}
    assert {item.category for item in items} == by_category  # every kind shows up
    for item in items:
        kind = next(k for k in KINDS if k.description == item.description)
        assert kind.low <= item.amount <= kind.high
        assert item.amount == item.amount.quantize(Decimal("0.01"))
    salaries = [i for i in items if i.category == "Salary"]
    groceries = [i for i in items if i.category == "Groceries"]
    assert 0 < len(salaries) < len(groceries)  # pay days are rarer than shopping
    assert all(i.amount > 0 for i in salaries) and all(i.amount < 0 for i in groceries)


def test_simulate_writes_rate_times_duration_for_the_users(db):
    out = simulate("--users", "3", "--rate", "40", "--duration", "1", "--seed", "1")
    assert "Wrote 40 transactions for 3 users" in out
    per_user = Transaction.objects.values("user__username").annotate(n=Count("id"))
    assert {row["user__username"] for row in per_user} <= {"sim-01", "sim-02", "sim-03"}
    assert sum(row["n"] for row in per_user) == 40
    figures = Transaction.objects.aggregate(low=Min("amount"), high=Max("amount"))
    assert figures["low"] < 0 < figures["high"]


def test_simulate_includes_named_users_and_refuses_unknown_ones(make_user):
    demo = make_user("demo")
    simulate("--users", "0", "--user", "demo", "--rate", "5", "--duration", "1")
    assert Transaction.objects.filter(user=demo).count() == 5
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        simulate("--users", "0", "--user", "ghost", "--duration", "1")


@pytest.mark.django_db(transaction=True)
async def test_simulated_writes_reach_the_users_screen(make_user):
    user = await sync_to_async(make_user)("demo")
    ws = await connect(user=user)
    assert (await ws.connect())[0]
    await ws.receive_from()
    await sync_to_async(simulate)("--users", "0", "--user", "demo", "--rate", "25",
                                  "--duration", "1")
    frame = await ws.receive_from()
    assert figure(frame, "count") == "25"
    await ws.disconnect()


@pytest.mark.django_db(transaction=True)
def test_simulate_through_the_api_of_a_real_server(live_server, make_user):
    demo = make_user("demo")
    out = simulate("--users", "2", "--user", "demo", "--rate", "30", "--duration", "1",
                   "--api", live_server.url)
    assert "Wrote 30 transactions for 3 users" in out
    assert Transaction.objects.count() == 30
    assert not ApiToken.objects.exists()  # its tokens are revoked when it stops
    assert get_user_model().objects.filter(username__startswith="sim-").count() == 2
    assert set(Transaction.objects.values_list("user__username", flat=True)) <= {
        "demo", "sim-01", "sim-02"
    }
    assert demo.pk
