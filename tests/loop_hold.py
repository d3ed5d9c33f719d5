"""How long the event loop is held: the worst CPU time its thread spends between two ticks of a
watcher beyond the tick itself. Descheduling by a busy machine does not count (it is not CPU
time of the thread); a long synchronous stretch does."""

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass
class Hold:
    worst: float = 0.0
    """CPU seconds the loop's thread spent beyond one tick between two ticks, at worst."""


@contextlib.asynccontextmanager
async def loop_hold(tick: float = 0.005, *, collect: bool = True) -> AsyncIterator[Hold]:
    """Watch the loop for the block's duration; `collect=False` keeps the garbage collector
    out of the measure (for a unit under test that makes no garbage of its own)."""
    hold = Hold()

    async def watch() -> None:
        while True:
            started = time.thread_time()
            await asyncio.sleep(tick)
            hold.worst = max(hold.worst, time.thread_time() - started - tick)

    if not collect:
        gc.disable()
    watcher = asyncio.create_task(watch())
    await asyncio.sleep(tick)
    try:
        yield hold
        await asyncio.sleep(2 * tick)  # the tick the block's last stretch delayed
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        if not collect:
            gc.enable()
