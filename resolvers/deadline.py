"""The request deadline, carried to every source call of the request (including loader batch
functions, which run in tasks that copy the request's context)."""

import time
from contextvars import ContextVar

request_deadline: ContextVar[float | None] = ContextVar("request_deadline", default=None)


def time_left(limit: float) -> float:
    """Seconds a source call may take: its own limit, cut to what the request has left."""
    deadline = request_deadline.get()
    if deadline is None:
        return limit
    return min(limit, deadline - time.monotonic())
