"""What source-call observers (metrics, tracing) share: the stable code of a failure.

Observers implement `gateway.federation.fanout.SourceCallObserver`; `SourceCalls` enters each
one around every guarded call (breaker, retry and all).
"""

import asyncio
from typing import TypeVar

from gateway.errors import SourceError

T = TypeVar("T")


def failure_code(error: BaseException | None) -> str | None:
    """The failure's stable code: a `SourceError`'s own, CANCELLED, or INTERNAL."""
    if error is None:
        return None
    if isinstance(error, SourceError):
        return error.code
    return "CANCELLED" if isinstance(error, asyncio.CancelledError) else "INTERNAL"
