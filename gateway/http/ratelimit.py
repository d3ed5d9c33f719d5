"""Per-principal request rates: a fixed one-minute window per key.

Authenticated callers are keyed by their token subject, the public by client address (one
shared public bucket would let one client lock every other out). Counters live in Redis when
`redis_url` is set, so every gateway process shares them, and in memory otherwise. If Redis
fails, requests are let through and the failure is logged (rate-limited): the limiter
protects capacity, and refusing everyone while Redis is down would be the bigger outage.
"""

import logging
import math
import time
from typing import Protocol

from gateway.principal import PUBLIC, Principal

logger = logging.getLogger("lapor.ratelimit")

RATE_LIMITED = "RATE_LIMITED"
WINDOW_SECONDS = 60


def rate_key(principal: Principal, client_host: str | None) -> str:
    if principal is PUBLIC or principal.subject is None:
        return f"ip:{client_host or 'unknown'}"
    return f"sub:{principal.tier.value}:{principal.subject}"


class RateLimiter(Protocol):
    async def hit(self, key: str) -> float | None:
        """Count one request; None if allowed, else the seconds until it would be."""
        ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """Counters of this process, bounded: at most `max_keys` windows are kept."""

    def __init__(self, per_minute: int, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.window = -1
        self.counts: dict[str, int] = {}

    async def hit(self, key: str) -> float | None:
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        if window != self.window:
            self.window, self.counts = window, {}
        if key not in self.counts and len(self.counts) >= self.max_keys:
            # A flood of distinct keys (spoofed addresses cannot do this over TCP, but many
            # real ones can): count them together rather than grow without bound.
            key = "overflow"
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        if count <= self.per_minute:
            return None
        return max(1.0, math.ceil((window + 1) * WINDOW_SECONDS - now))

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    """Counters shared by every gateway process: INCR and EXPIRE in one round trip."""

    def __init__(self, url: str, per_minute: int) -> None:
        import redis.asyncio as redis

        self.client = redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.per_minute = per_minute

    async def hit(self, key: str) -> float | None:
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        name = f"lapor:rate:{window}:{key}"
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.incr(name)
                pipe.expire(name, WINDOW_SECONDS * 2)
                count, _ = await pipe.execute()
        except Exception:  # any Redis failure: fail open, see the module docstring
            logger.warning("rate limiter unavailable; request let through", exc_info=True)
            return None
        if int(count) <= self.per_minute:
            return None
        return max(1.0, math.ceil((window + 1) * WINDOW_SECONDS - now))

    async def close(self) -> None:
        await self.client.aclose()


def build_rate_limiter(per_minute: int, redis_url: str | None) -> RateLimiter | None:
    if per_minute <= 0:
        return None
    if redis_url:
        return RedisRateLimiter(redis_url, per_minute)
    return MemoryRateLimiter(per_minute)
