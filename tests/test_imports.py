"""File imports: CSV and OFX in, rows and one screen update out; bad files save nothing."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from dashboard.imports import ImportFileError, parse_csv, parse_file
from dashboard.models import Transaction
from live import broadcast

from .livetools import GroupProbe, connect, figure

README = Path(__file__).resolve().parent.parent / "README.md"

CSV = """date,amount,description,category
2025-01-01,3400.00,ACME payroll,Salary
2025-01-02,-1250.00,Rent January,Rent
2025-01-03,-3.20,Coffee,Dining
2025-01-03,-3.20,Coffee,Dining
"""

OFX = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>
<DTSERVER>20250131120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>12345678<ACCTID>000111222<ACCTTYPE>CHECKING
</BANKACCTFROM><BANKTRANLIST><DTSTART>20250101<DTEND>20250131
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20250101120000<TRNAMT>3400.00<FITID>F1
<NAME>ACME Payroll<MEMO>Salary January</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20250102<TRNAMT>-1250.00<FITID>F2<NAME>Landlord</STMTTRN>
<STMTTRN><TRNTYPE>POS<DTPOSTED>20250103093000.000[+1:CET]<TRNAMT>-42.17<FITID>F3
<NAME>Supermarket</STMTTRN>
</BANKTRANLIST><LEDGERBAL><BALAMT>2107.83<DTASOF>20250131</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path: Path, username: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_transactions", str(path), "--user", username, *args, stdout=out)
    return out.getvalue()


def big_csv(rows: int) -> str:
    lines = ["date,amount,description"]
    lines += [f"2025-02-{1 + n % 28:02d}T12:00:00,{(n % 500) - 250}.{n % 100:02d},row {n}"
              for n in range(rows)]
    return "\n".join(lines) + "\n"


# -- parsing --------------------------------------------------------------------------


def test_csv_columns_are_found_by_header_name_in_any_order():
    items = parse_csv("Category,Description,Amount,Date\nRent,Flat,-900.5,2025-03-01\n")
    assert (items[0].amount, items[0].description, items[0].category) == (
        Decimal("-900.50"), "Flat", "Rent"
    )
    assert items[0].created_at.date().isoformat() == "2025-03-01"


def test_csv_mapping_names_other_headers():
    items = parse_csv(
        "Betrag,Buchungstag,Text\n-3.50,2025-03-02,Bäckerei\n",
        mapping={"amount": "Betrag", "created_at": "Buchungstag", "description": "Text"},
    )
    assert (items[0].amount, items[0].description) == (Decimal("-3.50"), "Bäckerei")


def test_csv_identical_rows_are_both_kept_with_distinct_ids():
    items = parse_csv(CSV)
    assert len(items) == 4
    assert len({item.external_id for item in items}) == 4
    assert [i.external_id for i in parse_csv(CSV)] == [i.external_id for i in items]


def test_csv_id_column_is_the_dedupe_key():
    items = parse_csv("id,date,amount\nTX-9,2025-01-01,5\n")
    assert items[0].external_id == "csv-id:TX-9"


def test_csv_without_required_columns_is_refused():
    with pytest.raises(ImportFileError) as caught:
        parse_csv("when,what\n2025-01-01,5\n")
    assert any("no column for amount" in e for e in caught.value.errors)
    assert any("no column for created_at" in e for e in caught.value.errors)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2025-01-01,abc,x", "amount: 'abc' is not a number"),
        ("2025-01-01,1.234,x", "amount: must have at most 2 decimal places"),
        ("2025-01-01,NaN,x", "amount: must be a finite number"),
        ("2025-01-01,1e15,x", "amount: must lie between"),
        ("31/01/2025,1,x", "date: '31/01/2025' is not an ISO 8601"),
        ("2999-01-01,1,x", "date: must not lie more than a day in the future"),
        ("2025-01-01,1," + "d" * 201, "description: must be at most 200 characters"),
    ],
)
def test_csv_bad_rows_are_reported_by_line(row, reason):
    with pytest.raises(ImportFileError) as caught:
        parse_csv(f"date,amount,description\n2025-01-01,1,fine\n{row}\n")
    assert caught.value.errors[0].startswith("line 3: ") and reason in caught.value.errors[0]


def test_csv_must_be_utf8():
    with pytest.raises(ImportFileError, match="UTF-8"):
        parse_file("date,amount,description\n2025-01-01,1,Café\n".encode("latin-1"), name="x.csv")


def test_ofx_transactions_carry_the_banks_ids():
    items = parse_file(OFX.encode(), name="statement.qfx")
    assert [i.amount for i in items] == [Decimal("3400.00"), Decimal("-1250.00"), Decimal("-42.17")]
    assert items[0].description == "ACME Payroll · Salary January"
    assert items[0].external_id == "ofx:000111222:F1"


def test_unreadable_ofx_is_refused():
    with pytest.raises(ImportFileError, match="not a readable OFX"):
        parse_file(b"OFXHEADER:100\n<OFX><garbage", name="x.ofx")


# -- the command ----------------------------------------------------------------------


def test_command_imports_csv_and_a_second_run_adds_nothing(make_user, tmp_path):
    user = make_user("ann")
    path = write(tmp_path, "jan.csv", CSV)
    assert "Added 4 transactions, skipped 0" in run_import(path, "ann")
    assert "Added 0 transactions, skipped 4" in run_import(path, "ann")
    assert Transaction.objects.filter(user=user).count() == 4
    assert sorted(Transaction.objects.values_list("amount", flat=True))[0] == Decimal("-1250.00")


def test_command_adds_only_the_new_rows_of_an_overlapping_file(make_user, tmp_path):
    make_user("ann")
    run_import(write(tmp_path, "jan.csv", CSV), "ann")
    longer = CSV + "2025-01-04,-9.99,Books,Entertainment\n"
    assert "Added 1 transactions, skipped 4" in run_import(write(tmp_path, "b.csv", longer), "ann")


def test_command_imports_ofx_once(make_user, tmp_path):
    user = make_user("ann")
    path = write(tmp_path, "statement.ofx", OFX)
    assert "Added 3 transactions, skipped 0" in run_import(path, "ann")
    assert "Added 0 transactions, skipped 3" in run_import(path, "ann")
    assert Transaction.objects.filter(user=user).count() == 3


def test_same_file_for_two_users_is_imported_for_each(make_user, tmp_path):
    make_user("ann"), make_user("ben")
    path = write(tmp_path, "jan.csv", CSV)
    run_import(path, "ann")
    assert "Added 4" in run_import(path, "ben")


def test_command_bad_file_imports_nothing(make_user, tmp_path):
    make_user("ann")
    path = write(tmp_path, "bad.csv", CSV + "2025-01-05,twelve,Oops,\n")
    with pytest.raises(CommandError, match="line 6: amount"):
        run_import(path, "ann")
    assert not Transaction.objects.exists()


def test_command_unknown_user_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        run_import(write(tmp_path, "a.csv", CSV), "nobody")


def test_command_draws_a_progress_bar(make_user, tmp_path):
    make_user("ann")
    err = io.StringIO()
    call_command("import_transactions", str(write(tmp_path, "big.csv", big_csv(12_000))),
                 "--user", "ann", "--progress", "always", stdout=io.StringIO(), stderr=err)
    bars = err.getvalue().split("\r")
    assert "100%  12,000/12,000 rows" in bars[-1]
    assert len([bar for bar in bars if "%" in bar]) >= 3  # drawn as chunks were written


def test_readme_sample_csv_imports(make_user, tmp_path):
    make_user("ann")
    sample = re.search(r"```csv\n(.*?)```", README.read_text(), re.S)
    assert sample, "README has a ```csv sample"
    out = run_import(write(tmp_path, "sample.csv", sample.group(1)), "ann")
    assert re.search(r"Added [1-9]\d* transactions, skipped 0", out)


# -- one screen update per import -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_big_import_announces_once(make_user, tmp_path):
    user = await sync_to_async(make_user)("ann")
    probe = await GroupProbe(broadcast.user_group(user.pk)).join()
    await sync_to_async(run_import)(write(tmp_path, "big.csv", big_csv(12_000)), "ann")
    assert await Transaction.objects.filter(user=user).acount() == 12_000
    assert await probe.received() == [{"type": "summary.changed"}]
    await probe.leave()


# -- the dashboard's upload form ------------------------------------------------------


def test_dashboard_shows_the_import_form(client, make_user):
    client.force_login(make_user())
    html = client.get("/").content.decode()
    assert 'id="import"' in html and 'hx-encoding="multipart/form-data"' in html


@pytest.mark.django_db(transaction=True)
async def test_upload_pushes_progress_then_figures(make_user, async_client):
    user = await sync_to_async(make_user)("ann")
    ws = await connect(user=user)
    assert (await ws.connect())[0]
    await ws.receive_from()
    await async_client.aforce_login(user)
    upload = SimpleUploadedFile("big.csv", big_csv(12_000).encode(), content_type="text/csv")
    response = await async_client.post("/imports/", {"file": upload},
                                       headers={"HX-Request": "true"})
    assert "added 12000, skipped 0" in response.content.decode()
    frames = [await ws.receive_from()]
    while 'data-figure="count"' not in frames[-1]:
        frames.append(await ws.receive_from())
    progress = [f for f in frames if 'id="import-progress"' in f]
    assert len(progress) >= 3 and "12000 of 12000 rows" in progress[-1]
    assert figure(frames[-1], "count") == "12,000"
    await ws.disconnect()


def test_upload_of_a_bad_file_saves_nothing_and_says_why(client, make_user):
    client.force_login(make_user())
    upload = SimpleUploadedFile("bad.csv", b"date,amount\n2025-01-01,1.001\n")
    response = client.post("/imports/", {"file": upload}, headers={"HX-Request": "true"})
    assert "Nothing was imported" in response.content.decode()
    assert "line 2: amount: must have at most 2 decimal places" in response.content.decode()
    assert not Transaction.objects.exists()


def test_upload_without_a_file_is_refused(client, make_user):
    client.force_login(make_user())
    response = client.post("/imports/", {})
    assert response.status_code == 400 and not Transaction.objects.exists()


def test_upload_requires_login(client, db):
    upload = SimpleUploadedFile("a.csv", CSV.encode())
    assert client.post("/imports/", {"file": upload}).status_code == 302
    assert not Transaction.objects.exists()
