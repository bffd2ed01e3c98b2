"""The domain's own signals, for writes that bypass model signals (bulk work)."""

from django.dispatch import Signal

# Sent once after a bulk write, with ``user_ids``: the users whose figures changed.
transactions_changed = Signal()
