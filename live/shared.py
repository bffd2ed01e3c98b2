"""One read per key at a time, shared by every socket of this process that needs it.

When a user has many screens open (or, later, many walls watch one group), every socket
gets the same change message at about the same moment. Without sharing, each would run
the same queries and render the same HTML. Here a socket joins a read that is already
running, as long as that read *started after* the change the socket is reacting to —
so what it receives still includes that change (properties 1 and 3 of DESIGN.md).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class _Read:
    started_at: float
    result: asyncio.Future[str]


class SharedReads:
    def __init__(self, *, keep_secs: float = 1.0) -> None:
        self._reads: dict[str, _Read] = {}
        self._keep_secs = keep_secs
        self.started = 0  # how many reads actually ran; for tests and benchmarks

    async def read(self, key: str, *, since: float, produce: Callable[[], Awaitable[str]]) -> str:
        """The result of a read of ``key`` that started at or after ``since``.

        ``since`` is a ``time.monotonic()`` stamp taken when the caller learnt of the
        change; pass ``time.monotonic()`` itself to force a fresh read.
        """
        current = self._reads.get(key)
        if current is None or current.started_at < since:
            current = _Read(started_at=time.monotonic(), result=asyncio.ensure_future(produce()))
            self._reads[key] = current
            self.started += 1
            current.result.add_done_callback(lambda _: self._forget_later(key, current))
        # shield: one caller going away (socket closed) must not cancel the others' read.
        return await asyncio.shield(current.result)

    def _forget_later(self, key: str, read: _Read) -> None:
        # Finished results stay briefly for latecomers of the same change, then go, so
        # keys of users who left do not accumulate.
        def forget() -> None:
            if self._reads.get(key) is read:
                del self._reads[key]

        asyncio.get_running_loop().call_later(self._keep_secs, forget)
