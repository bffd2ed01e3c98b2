from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 2
# The largest magnitude that fits 14 digits with 2 places.
AMOUNT_LIMIT = Decimal("999999999999.99")


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
    description = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=50, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at"], name="txn_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+.2f} {self.description or self.category}".strip()

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[no-untyped-def]
        instance = super().from_db(db, field_names, values)
        # Remember the owner as loaded, so that moving a transaction to another user
        # announces the change to both of them.
        instance._loaded_user_id = instance.__dict__.get("user_id")
        return instance

    @property
    def affected_user_ids(self) -> set[int]:
        """The users whose figures this row's save or delete changes."""
        ids = {self.user_id}
        loaded = getattr(self, "_loaded_user_id", None)
        if loaded is not None:
            ids.add(loaded)
        return ids
