"""The domain's own signals, for writes that bypass model signals (bulk work) and for news
that is not a row change. ``live/`` receives them; ``dashboard/`` never imports ``live/``."""

from django.dispatch import Signal

# Sent once after a bulk write, with ``user_ids``: the users whose figures changed.
transactions_changed = Signal()

# Sent while a web import runs, with ``user_id``, ``done`` and ``total`` (rows): the
# user's open dashboards show a progress bar. Not tied to a commit: it reports work.
import_progress = Signal()

# Sent once after a refresh stored new values or failures of external sources.
external_sources_changed = Signal()
