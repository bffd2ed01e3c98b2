"""Create the demo login and a few months of transactions, if the database has none."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from dashboard.models import Transaction
from dashboard.signals import transactions_changed

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"

# (description, category, low, high): negative ranges are expenses.
MONTHLY = [("Salary", "Salary", 3200, 3600), ("Rent", "Rent", -1250, -1250)]
EVERYDAY = [
    ("Supermarket", "Groceries", -95, -12),
    ("Bakery", "Groceries", -14, -3),
    ("Train ticket", "Transport", -40, -3),
    ("Electricity bill", "Utilities", -120, -45),
    ("Dinner out", "Dining", -85, -18),
    ("Pharmacy", "Health", -45, -6),
    ("Cinema", "Entertainment", -30, -11),
    ("Refund", "Refund", 8, 60),
]


class Command(BaseCommand):
    help = "Create the demo user and twelve months of demo transactions if none exist."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, months: int, seed: int, **options) -> None:  # type: ignore[override]
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"Created the demo login {DEMO_USERNAME} / {DEMO_PASSWORD}.")
        if Transaction.objects.exists():
            self.stdout.write("Transactions exist already; no demo data added.")
            return
        rows = list(demo_transactions(user, months=months, rng=random.Random(seed)))
        with transaction.atomic():
            Transaction.objects.bulk_create(rows, batch_size=500)
            transactions_changed.send(sender=Transaction, user_ids={user.pk})
        self.stdout.write(f"Added {len(rows)} demo transactions for {DEMO_USERNAME}.")


def demo_transactions(user, *, months: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """Salaries and rent each month, a few everyday items most days."""
    now = timezone.now()
    start = now - dt.timedelta(days=30 * months)
    day = start
    while day < now:
        if day.day == 1:
            for description, category, low, high in MONTHLY:
                yield _txn(user, description, category, rng.randint(low, high), day)
        for _ in range(rng.randint(0, 3)):
            description, category, low, high = rng.choice(EVERYDAY)
            cents = Decimal(rng.randint(low * 100, high * 100)) / 100
            moment = day.replace(hour=rng.randint(7, 21), minute=rng.randint(0, 59))
            yield _txn(user, description, category, cents, min(moment, now))
        day += dt.timedelta(days=1)


def _txn(user, description: str, category: str, amount, when: dt.datetime) -> Transaction:  # type: ignore[no-untyped-def]
    return Transaction(
        user=user, amount=Decimal(amount).quantize(Decimal("0.01")),
        description=description, category=category, created_at=when,
    )
