"""How money looks: two decimals, thousands separators, an explicit sign."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """``Decimal("-1234.5")`` → ``"-1,234.50"``; positive amounts get a ``+``."""
    amount = Decimal(value or 0)
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f}"


@register.filter
def money_unsigned(value: Decimal | int | None) -> str:
    """``Decimal("-1234.5")`` → ``"1,234.50"``, for totals whose label gives the sign."""
    return f"{abs(Decimal(value or 0)):,.2f}"


@register.filter
def flow(value: Decimal | int | None) -> str:
    """``"income"``, ``"expense"`` or ``"zero"``: a word, so colour is never the only signal."""
    amount = Decimal(value or 0)
    return "income" if amount > 0 else "expense" if amount < 0 else "zero"
