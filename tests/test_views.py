from decimal import Decimal

import pytest

from dashboard.models import Transaction


@pytest.fixture
def signed_in(client, make_user):
    user = make_user()
    client.force_login(user)
    return client, user


def test_dashboard_redirects_anonymous_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'id="id_username"' in response.content


def test_dashboard_shows_own_figures_only(signed_in, make_user, make_txn):
    client, user = signed_in
    make_txn(user, "1234.5", description="Salary")
    make_txn(make_user(), "-777", description="stranger's rent")
    html = client.get("/").content.decode()
    assert "+1,234.50" in html
    assert "stranger" not in html and "777" not in html
    assert 'ws-connect="/ws/dashboard/"' in html


def test_add_transaction_htmx_saves_and_returns_fresh_form(signed_in):
    client, user = signed_in
    response = client.post(
        "/transactions/",
        {"amount": "-12.30", "description": "Lunch", "category": "Dining"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b"Saved -12.30 Lunch" in response.content
    txn = Transaction.objects.get(user=user)
    assert (txn.amount, txn.category) == (Decimal("-12.30"), "Dining")


def test_add_transaction_without_js_redirects(signed_in):
    client, user = signed_in
    response = client.post("/transactions/", {"amount": "5", "description": "", "category": ""})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Transaction.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter a number."),
        ("", "This field is required."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
        ("1e20", "Ensure that there are no more than 14 digits in total."),
        ("10000000000000", "no more than 12 digits before the decimal point."),
    ],
)
def test_add_transaction_invalid_amount_saves_nothing(signed_in, amount, message):
    client, _ = signed_in
    response = client.post(
        "/transactions/", {"amount": amount, "description": "x"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps the form with its errors in
    assert message in response.content.decode()
    assert Transaction.objects.count() == 0


def test_add_transaction_invalid_without_js_is_400_with_page(signed_in):
    client, _ = signed_in
    response = client.post("/transactions/", {"amount": "abc"})
    assert response.status_code == 400
    assert b"Enter a number." in response.content and b'id="figures"' in response.content
    assert Transaction.objects.count() == 0


def test_add_transaction_description_too_long_saves_nothing(signed_in):
    client, _ = signed_in
    response = client.post("/transactions/", {"amount": "1", "description": "x" * 201},
                           headers={"HX-Request": "true"})
    assert b"Ensure this value has at most 200 characters" in response.content
    assert Transaction.objects.count() == 0


def test_add_transaction_requires_login(client, db):
    response = client.post("/transactions/", {"amount": "1"})
    assert response.status_code == 302
    assert Transaction.objects.count() == 0


def test_add_transaction_refuses_get(signed_in):
    client, _ = signed_in
    assert client.get("/transactions/").status_code == 405


def test_healthz_reports_ok(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
