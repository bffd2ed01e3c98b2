from decimal import Decimal

import pytest

from dashboard.templatetags.money import flow, money, money_unsigned


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.5"), "+1,234,567.50"),
        (Decimal("-0.01"), "-0.01"),
        (Decimal("0"), "0.00"),
        (None, "0.00"),
        (Decimal("-999999999999.99"), "-999,999,999,999.99"),
    ],
)
def test_money_sign_separators_two_decimals(value, shown):
    assert money(value) == shown


def test_money_unsigned_drops_sign():
    assert money_unsigned(Decimal("-1234.5")) == "1,234.50"


@pytest.mark.parametrize(("value", "word"), [("1", "income"), ("-1", "expense"), ("0", "zero")])
def test_flow_names_direction(value, word):
    assert flow(Decimal(value)) == word
