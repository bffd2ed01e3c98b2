from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 2
# The largest magnitude that fits 14 digits with 2 places.
AMOUNT_LIMIT = Decimal("999999999999.99")
DESCRIPTION_MAX_LENGTH = 200
CATEGORY_MAX_LENGTH = 50
EXTERNAL_ID_MAX_LENGTH = 128


class Transaction(models.Model):
    """One movement of money: positive amounts are income, negative ones expenses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transactions"
    )
    amount = models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        validators=[MinValueValidator(-AMOUNT_LIMIT), MaxValueValidator(AMOUNT_LIMIT)],
        help_text="Positive for income, negative for an expense.",
    )
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    category = models.CharField(max_length=CATEGORY_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # The bank's id (OFX FITID) or a hash of an imported row: importing twice adds nothing.
    # NULL when there is none, so that a plain unique index (which SQLite and PostgreSQL
    # use for ``external_id IN (...)``, unlike a partial one) allows any number of those.
    external_id = models.CharField(  # noqa: DJ001
        max_length=EXTERNAL_ID_MAX_LENGTH, null=True, blank=True, default=None, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="txn_user_created_idx"),
            # The wall's figures are ranges of time across all users: today, the last
            # 15 minutes, the last hour, the latest 20. Each reads this index, so its cost
            # follows the rows in the range, not the size of the history.
            models.Index(fields=["created_at"], name="txn_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "external_id"], name="txn_user_external_id_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+.2f} {self.description or self.category}".strip()

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        # Remember the owner as loaded, so that moving a transaction to another user
        # announces the change to both of them.
        instance._loaded_user_id = instance.__dict__.get("user_id")
        # ...and its time, so that moving it out of an earlier day announces that day too.
        instance._loaded_created_at = instance.__dict__.get("created_at")
        return instance

    @property
    def affected_user_ids(self) -> set[int]:
        """The users whose figures this row's save or delete changes."""
        ids = {self.user_id}
        loaded = getattr(self, "_loaded_user_id", None)
        if loaded is not None:
            ids.add(loaded)
        return ids

    @property
    def earliest_affected_time(self) -> dt.datetime:
        """The earliest moment whose figures this row's save or delete changes."""
        loaded = getattr(self, "_loaded_created_at", None)
        return min(self.created_at, loaded) if loaded is not None else self.created_at


class WallLink(models.Model):
    """A read-only link for a wall screen (a TV cannot type a password).

    Only a SHA-256 of the token is stored; the raw token is shown once, on creation. The
    token is 256 random bits, so a fast hash is enough: there is nothing to guess.
    """

    name = models.CharField(max_length=100, help_text="Where the screen is, e.g. “lobby”.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def problem(self, now: dt.datetime | None = None) -> str | None:
        """``None`` if the link opens the wall now, else ``"revoked"`` or ``"expired"``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return None


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once.

    Tokens are long random strings, so a fast hash is enough: there is nothing to guess.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="Tells tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotencyRecord(models.Model):
    """The first answer to a POST with an ``Idempotency-Key``, replayed on retries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_uniq"),
        ]

    def __str__(self) -> str:
        return self.key


class ExternalSource(models.Model):
    """A value fetched from another system (an exchange rate, a KPI) and shown as a tile."""

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(max_length=500)
    json_path = models.CharField(
        max_length=200,
        help_text='Where the value is in the JSON answer, e.g. "rates.EUR" or "data[0].value".',
    )
    unit = models.CharField(max_length=20, blank=True)
    refresh_interval_secs = models.PositiveIntegerField(
        default=300, validators=[MinValueValidator(5)], help_text="Seconds between fetches."
    )
    enabled = models.BooleanField(default=True)
    value = models.CharField(max_length=100, blank=True, editable=False)
    fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    unavailable_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
