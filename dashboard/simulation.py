"""Realistic made-up transactions for demos and load tests: salaries and rent now and
then, groceries, coffee and train tickets often, a refund once in a while."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from .inputs import TransactionInput

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Kind:
    description: str
    category: str
    low: Decimal  # amounts in this range; negative for expenses
    high: Decimal
    weight: float  # how often, relative to the others


def _kind(description: str, category: str, low: str, high: str, weight: float) -> Kind:
    return Kind(description, category, Decimal(low), Decimal(high), weight)


KINDS = [
    _kind("Salary", "Salary", "2600", "5400", 0.6),
    _kind("Freelance invoice", "Salary", "150", "1800", 0.4),
    _kind("Rent", "Rent", "-1900", "-650", 0.6),
    _kind("Supermarket", "Groceries", "-140", "-8", 24),
    _kind("Bakery", "Groceries", "-16", "-2", 10),
    _kind("Farmers' market", "Groceries", "-45", "-6", 3),
    _kind("Coffee", "Dining", "-6.50", "-2.40", 12),
    _kind("Restaurant", "Dining", "-110", "-14", 7),
    _kind("Train ticket", "Transport", "-48", "-2.60", 9),
    _kind("Fuel", "Transport", "-95", "-30", 3),
    _kind("Electricity bill", "Utilities", "-150", "-40", 1.2),
    _kind("Phone bill", "Utilities", "-60", "-15", 1.2),
    _kind("Pharmacy", "Health", "-48", "-4", 3),
    _kind("Cinema", "Entertainment", "-36", "-9", 2.5),
    _kind("Streaming subscription", "Entertainment", "-18", "-6", 1),
    _kind("Refund", "Refund", "4", "130", 2.5),
    _kind("Transfer to savings", "Savings", "-600", "-50", 1),
]
_WEIGHTS = [kind.weight for kind in KINDS]


def simulated_amount(kind: Kind, rng: random.Random) -> Decimal:
    cents = rng.randint(int(kind.low / CENT), int(kind.high / CENT))
    return (Decimal(cents) * CENT).quantize(CENT)


def simulated_transaction(rng: random.Random) -> TransactionInput:
    """One plausible transaction, booked now."""
    kind = rng.choices(KINDS, weights=_WEIGHTS)[0]
    return TransactionInput(
        amount=simulated_amount(kind, rng), description=kind.description, category=kind.category
    )
