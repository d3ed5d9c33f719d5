"""Structured, rate-limited JSON logs.

One line per request (`lapor.requests`): request id, operation name, principal id, tier,
status, codes, cost and timings; never the query text, variables or personal data (the only
extra fields written are those in `FIELDS`). Every handler line goes through a token bucket:
an error flood costs at most `rate` lines per second (plus a burst), and the next line kept
says how many were dropped, so logs cannot grow without bound and the flood stays visible.
"""

import logging
import sys
import threading
import time
from datetime import UTC, datetime
from typing import TextIO

import orjson

REQUEST_LOGGER = "lapor.requests"
FIELDS = (
    "request_id",
    "operation",
    "principal",
    "tier",
    "status",
    "code",
    "codes",
    "cost",
    "duration_ms",
    "execution_ms",
    "source",
)
_HANDLER_MARK = "_lapor_edge_handler"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        dropped = getattr(record, "dropped", None)
        if dropped:
            line["dropped"] = dropped
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: exception text can carry data (a source's message, a value).
            line["exception"] = record.exc_info[0].__name__
        return orjson.dumps(line, default=str).decode()


class RateLimitFilter(logging.Filter):
    """A token bucket over the lines a handler writes (thread-safe: logging may come from
    the demo seeder's or SQLAlchemy's threads)."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        super().__init__()
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * 2)
        self.tokens = self.burst
        self.updated = time.monotonic()
        self.dropped = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens < 1:
                self.dropped += 1
                return False
            self.tokens -= 1
            if self.dropped:
                record.dropped = self.dropped
                self.dropped = 0
            return True


def install_logging(rate: float, stream: TextIO | None = None) -> logging.Handler:
    """One JSON handler on the `lapor` logger (once per process; a new rate replaces the old).

    Records still propagate, so an application (or pytest) may add handlers of its own."""
    logger = logging.getLogger("lapor")
    for handler in list(logger.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RateLimitFilter(rate))
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler
