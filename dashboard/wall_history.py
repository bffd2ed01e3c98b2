"""The wall's one whole-history figure, cached: totals of everything before today.

Rows before today change only when a write touches an earlier day (a backdated save, an
edit or delete of an old row, a bulk import). The live layer calls ``history_changed()``
for those (before it announces them), which moves the cache to a new key; everything else
reuses the day's cached totals, so a new transaction costs no recount of the history.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from .wall_selectors import Totals, totals_before

VERSION_KEY = "wall:history-version"
TOTALS_TTL_SECS = 36 * 3600  # a day's key is dead after midnight; let it go


def history_changed() -> None:
    """Rows before today changed: the next reader recounts the history (once, shared)."""
    cache.add(VERSION_KEY, 0, timeout=None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted between add and incr
        cache.set(VERSION_KEY, 1, timeout=None)


def history_before(start: dt.datetime) -> Totals:
    """``totals_before(start)``, recounted only after ``history_changed()`` or a new day."""
    key = f"wall:history:{start.isoformat()}:{cache.get(VERSION_KEY, 0)}"
    totals = cache.get(key)
    if totals is None:
        totals = totals_before(start)
        cache.set(key, totals, timeout=TOTALS_TTL_SECS)
    return totals
