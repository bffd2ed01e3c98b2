"""Coalescing: many change requests, a bounded number of runs, the last state always sent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Coalescer:
    """Runs ``work`` at most once per ``window_secs``, on the trailing edge.

    A request starts a window; requests during the window are absorbed into it; a
    request made while ``work`` runs schedules exactly one more run afterwards. So a burst
    of N requests over T seconds costs about T / window + 1 runs, and the last run always
    starts after the last request. Runs never overlap, so what they send stays in order.
    """

    def __init__(self, work: Callable[[], Awaitable[None]], *, window_secs: float) -> None:
        self._work = work
        self._window_secs = window_secs
        self._pending = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.runs = 0

    def request(self) -> None:
        self._pending.set()
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="coalescer")

    async def _loop(self) -> None:
        while True:
            await self._pending.wait()
            await asyncio.sleep(self._window_secs)
            self._pending.clear()
            self.runs += 1
            try:
                await self._work()
            except Exception:
                # Keep serving later changes; the next run sends the full state again.
                logger.exception("Coalesced run failed")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
