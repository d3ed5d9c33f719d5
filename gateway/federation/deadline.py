"""The request deadline, carried to every source call of the request (including loader batch
functions, which run in tasks that copy the request's context)."""

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

request_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)


def time_left(limit: float) -> float:
    """Seconds a source call may take: its own limit, cut to what the request has left."""
    deadline = request_deadline.get()
    if deadline is None:
        return limit
    return min(limit, deadline - time.monotonic())


NESTED_SHARE = 0.3
"""The share of what a request has left that a page keeps back for its nested lookups."""


@contextlib.contextmanager
def keeping_back(share: float = NESTED_SHARE) -> Iterator[None]:
    """Inside, source calls see an earlier deadline, so a slow source cannot spend the time
    the healthy sources' nested data (agencies, histories) needs after the page."""
    deadline = request_deadline.get()
    if deadline is None:
        yield
        return
    now = time.monotonic()
    token = request_deadline.set(now + (deadline - now) * (1 - share))
    try:
        yield
    finally:
        request_deadline.reset(token)
