"""Coalescing: identical concurrent source calls share one call and its result.

A dashboard opened by many analysts at once asks each source the same question; only the first
asks, the others wait for its answer. A waiter that gives up does not cancel the shared call
while others still wait for it; when the last one has gone, the call is cancelled, so no work
outlives the requests it was for.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class _Shared:
    future: asyncio.Future[Any]
    waiters: int = 0


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, _Shared] = {}

    async def run(self, key: Hashable, call: Callable[[], Awaitable[T]]) -> T:
        shared = self._inflight.get(key)
        if shared is None:
            shared = _Shared(asyncio.ensure_future(call()))
            self._inflight[key] = shared
            shared.future.add_done_callback(lambda _: self._inflight.pop(key, None))
        shared.waiters += 1
        try:
            result: T = await asyncio.shield(shared.future)
            return result
        finally:
            shared.waiters -= 1
            if shared.waiters == 0 and not shared.future.done():
                shared.future.cancel()

    def __len__(self) -> int:
        return len(self._inflight)
