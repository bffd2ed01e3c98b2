"""Reading statement files into ``TransactionInput``s: CSV (columns found by header name)
and OFX/QFX (via ofxtools). Parsing only; ``services.transactions_import`` writes.

Every item gets an ``external_id`` so that importing a file twice adds nothing: the bank's
own id where the file has one (OFX FITID, a CSV id column), otherwise a hash of the row
and of how many identical rows came before it in the file, so that two real coffees at
the same price on the same day are both kept, and both found again on a re-import.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, TypeVar

from .inputs import TransactionInput, clean_amount, clean_moment, clean_text, decimal_from_text
from .models import CATEGORY_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, EXTERNAL_ID_MAX_LENGTH

FileFormat = Literal["csv", "ofx"]
T = TypeVar("T")
MAX_REPORTED_ERRORS = 20

# Header names recognised for each field, compared case-insensitively. ``--map`` (or the
# ``mapping`` argument) names other headers.
CSV_HEADERS: dict[str, tuple[str, ...]] = {
    "amount": ("amount", "value", "sum"),
    "created_at": ("date", "created_at", "booking date", "booked", "timestamp", "time"),
    "description": ("description", "memo", "payee", "name", "text"),
    "category": ("category",),
    "external_id": ("id", "transaction id", "transaction_id", "external_id", "reference"),
}
REQUIRED_COLUMNS = ("amount", "created_at")


class ImportFileError(Exception):
    """The file cannot be imported; ``errors`` say where and why. Nothing was saved."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def detect_format(name: str, head: bytes) -> FileFormat:
    lowered = name.lower()
    if lowered.endswith((".ofx", ".qfx")) or b"OFXHEADER" in head or b"<OFX>" in head.upper():
        return "ofx"
    return "csv"


def parse_file(
    data: bytes, *, name: str = "", mapping: Mapping[str, str] | None = None
) -> list[TransactionInput]:
    if detect_format(name, data[:1024]) == "ofx":
        return parse_ofx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError([f"a CSV file must be UTF-8 ({error})"]) from None
    return parse_csv(text, mapping=mapping)


def _external_id(kind: str, value: str) -> str:
    external_id = f"{kind}:{value}"
    if len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        external_id = f"{kind}#:{hashlib.sha256(value.encode()).hexdigest()}"
    return external_id


# -- CSV ------------------------------------------------------------------------------


def csv_columns(header: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """Which column holds which field; ``ImportFileError`` when a required one is missing."""
    positions = {name.strip().lower(): index for index, name in enumerate(header)}
    mapping = {field: header.strip() for field, header in (mapping or {}).items()}
    columns, errors = {}, []
    for field, aliases in CSV_HEADERS.items():
        wanted = [mapping[field]] if mapping and field in mapping else list(aliases)
        found = next((positions[a.lower()] for a in wanted if a.lower() in positions), None)
        if found is not None:
            columns[field] = found
        elif field in REQUIRED_COLUMNS:
            errors.append(f"no column for {field}: expected a header named {' or '.join(wanted)}")
    unknown = set(mapping or {}) - set(CSV_HEADERS)
    errors.extend(f"cannot map unknown field {name!r}" for name in sorted(unknown))
    if errors:
        raise ImportFileError(errors)
    return columns


def _description(value: str) -> str:
    return clean_text(value, max_length=DESCRIPTION_MAX_LENGTH)


def _category(value: str) -> str:
    return clean_text(value, max_length=CATEGORY_MAX_LENGTH)


def _cleaned(field: str, clean: Callable[[str], T], value: str) -> T:
    try:
        return clean(value)
    except ValueError as error:
        raise ValueError(f"{field}: {error}") from None


def _csv_item(row: list[str], columns: dict[str, int], seen: Counter[str]) -> TransactionInput:
    def cell(field: str) -> str:
        index = columns.get(field)
        return row[index].strip() if index is not None and index < len(row) else ""

    amount = _cleaned("amount", lambda v: clean_amount(decimal_from_text(v)), cell("amount"))
    created_at = _cleaned("date", clean_moment, cell("created_at"))
    description = _cleaned("description", _description, cell("description"))
    category = _cleaned("category", _category, cell("category"))
    if cell("external_id"):
        external_id = _external_id("csv-id", cell("external_id"))
    else:
        key = "\x1f".join([created_at.isoformat(), str(amount), description, category])
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()
        external_id = _external_id("csv", digest)
    return TransactionInput(amount, description, category, created_at, external_id)


def parse_csv(text: str, *, mapping: Mapping[str, str] | None = None) -> list[TransactionInput]:
    """All rows of a CSV file, or ``ImportFileError`` naming the bad lines (all or nothing)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise ImportFileError(["the file is empty: expected a header line"])
    columns = csv_columns(header, mapping)
    items, errors, seen = [], [], Counter[str]()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        try:
            items.append(_csv_item(row, columns, seen))
        except ValueError as error:
            errors.append(f"line {reader.line_num}: {error}")
            if len(errors) >= MAX_REPORTED_ERRORS:
                errors.append("… and perhaps more; fix these first")
                break
    if errors:
        raise ImportFileError(errors)
    return items


# -- OFX / QFX ------------------------------------------------------------------------


def _ofx_statements(data: bytes) -> Iterable:  # type: ignore[type-arg]
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(data))
        return tree.convert().statements
    except (SyntaxError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise ImportFileError([f"not a readable OFX/QFX statement: {error}"]) from None


def _ofx_description(txn: object) -> str:
    # Banks' memos may exceed our limit: shortened, not refused (a statement is not ours
    # to fix); the full text stays with the bank.
    parts = [getattr(txn, "name", None), getattr(txn, "memo", None)]
    text = " · ".join(part for part in parts if part)
    return text if len(text) <= DESCRIPTION_MAX_LENGTH else text[: DESCRIPTION_MAX_LENGTH - 1] + "…"


def parse_ofx(data: bytes) -> list[TransactionInput]:
    """Every transaction of every statement in an OFX/QFX file; ids are the bank's FITIDs."""
    items, errors = [], []
    for statement in _ofx_statements(data):
        account = getattr(statement.account, "acctid", "") or ""
        for txn in statement.transactions:
            try:
                amount = clean_amount(txn.trnamt)
                created_at = clean_moment(txn.dtposted.isoformat())
            except ValueError as error:
                errors.append(f"transaction {txn.fitid}: {error}")
                continue
            external_id = _external_id("ofx", f"{account}:{txn.fitid}")
            items.append(
                TransactionInput(amount, _ofx_description(txn), "", created_at, external_id)
            )
    if errors:
        raise ImportFileError(errors[:MAX_REPORTED_ERRORS])
    return items
