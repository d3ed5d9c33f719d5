"""CPU-bound work of a request, kept off the event loop when it is large.

Merging and presenting thousands of aggregate rows takes tens of milliseconds of pure
Python; on the loop that would stall every other request (and `/healthz`) for as long. Above
`ROWS_ON_LOOP` items the work runs in a worker thread, and the interpreter hands the loop the
GIL back every few milliseconds (`sys.getswitchinterval`). Small work stays on the loop, where
a thread hop would cost more than the work.
"""

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

ROWS_ON_LOOP = 500
"""Items below which the work is cheaper than a thread hop (well under a millisecond)."""

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(items: int, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(*args, **kwargs)`, in a worker thread when it handles more than ROWS_ON_LOOP items."""
    if items <= ROWS_ON_LOOP:
        return work(*args, **kwargs)
    return await asyncio.to_thread(work, *args, **kwargs)
