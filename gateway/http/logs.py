"""Structured, rate-limited JSON logs.

One line per request (`lapor.requests`): request id, operation name, principal id, tier,
status, codes, cost and timings; never the query text, variables or personal data (the only
extra fields written are those in `FIELDS`). Every handler line goes through a token bucket:
each kind of line (logger and code) costs at most `rate` lines per second (plus a burst), and
the next line of that kind says how many were dropped: an error flood cannot grow logs without
bound, cannot crowd out other lines, and stays visible.
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


class _Bucket:
    __slots__ = ("dropped", "tokens", "updated")

    def __init__(self, tokens: float, now: float) -> None:
        self.tokens = tokens
        self.updated = now
        self.dropped = 0


class RateLimitFilter(logging.Filter):
    """Token buckets over the lines a handler writes, one per kind of line (logger and code,
    or level): a flood of one error cannot crowd out the others, and the kinds are a bounded
    set (loggers and codes are the gateway's own), capped at `MAX_KINDS` all the same.
    Thread-safe: logging may come from the demo seeder's or SQLAlchemy's threads."""

    MAX_KINDS = 1000

    def __init__(self, rate: float, burst: float | None = None) -> None:
        super().__init__()
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * 2)
        self.buckets: dict[tuple[str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, str(getattr(record, "code", None) or record.levelname))
        with self._lock:
            now = time.monotonic()
            bucket = self.buckets.get(kind)
            if bucket is None:
                if len(self.buckets) >= self.MAX_KINDS:
                    kind = ("*", "*")
                    bucket = self.buckets.setdefault(kind, _Bucket(self.burst, now))
                else:
                    bucket = self.buckets[kind] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens < 1:
                bucket.dropped += 1
                return False
            bucket.tokens -= 1
            if bucket.dropped:
                record.dropped = bucket.dropped
                bucket.dropped = 0
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
