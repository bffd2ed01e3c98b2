"""One instance per running event loop: daphne runs one loop per process, tests one per test.

Objects that hold asyncio primitives or a ``redis.asyncio`` client belong to the loop that
made them; keying them by loop keeps each test's state its own and daphne's shared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._instances: WeakKeyDictionary[asyncio.AbstractEventLoop, T] = WeakKeyDictionary()

    def get(self) -> T:
        """This loop's instance, made on first use; call from a coroutine."""
        loop = asyncio.get_running_loop()
        instance = self._instances.get(loop)
        if instance is None:
            instance = self._instances[loop] = self._factory()
        return instance
