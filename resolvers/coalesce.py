"""Coalescing: identical concurrent source calls share one call and its result.

A dashboard opened by many analysts at once asks each source the same question; only the first
asks, the others wait for its answer. A waiter that gives up does not cancel the shared call.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        shared = self._inflight.get(key)
        if shared is None:
            shared = asyncio.ensure_future(call())
            self._inflight[key] = shared
            shared.add_done_callback(lambda _: self._inflight.pop(key, None))
        result: T = await asyncio.shield(shared)
        return result

    def __len__(self) -> int:
        return len(self._inflight)
