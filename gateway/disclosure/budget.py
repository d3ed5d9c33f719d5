"""A cap on the distinct aggregate queries a caller may make outside its own scope each day.

The cell key method gives the same answer to the same question, so repeating one averages
nothing away; what remains is averaging the differences of many *different* questions that
isolate the same small group. Each such difference takes two queries over others' protected
complaints, so capping the distinct ones per principal and day bounds that attack (see
docs/authorization.md). Asking a question already asked that day costs nothing.

The spent questions live in Redis when `redis_url` is set, so every gateway process shares
them, and in memory otherwise. If Redis fails, out-of-scope aggregates are refused: this is a
privacy control, and it fails closed.
"""

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Protocol

from gateway.errors import AggregateQuotaError, AggregateQuotaUnavailableError

logger = logging.getLogger("lapor.disclosure")

_DAY_SECONDS = 86_400
# Adds the question unless the day's set is full; answers 1 when the question may be asked.
_SPEND = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class BudgetUnavailableError(Exception):
    """The shared store of spent questions cannot be reached."""


def fingerprint(question: object) -> str:
    """A short stable digest of a question (its filter and grouping, as a repr)."""
    return hashlib.sha256(repr(question).encode()).hexdigest()[:32]


Clock = Callable[[], float]


def utc_day(clock: Clock) -> date:
    return datetime.fromtimestamp(clock(), UTC).date()


class QueryBudget(Protocol):
    per_day: int
    clock: Clock
    """Seconds since the epoch; the day is the UTC day."""

    async def spend(self, principal: str, question: str) -> bool:
        """Record the question; False when it is new and the day's budget is spent."""
        ...

    async def close(self) -> None: ...


class MemoryQueryBudget:
    """Spent questions of this process, for today only."""

    def __init__(self, per_day: int, clock: Clock = time.time) -> None:
        self.per_day = per_day
        self.clock = clock
        self.day: date | None = None
        self.spent: dict[str, set[str]] = {}

    async def spend(self, principal: str, question: str) -> bool:
        day = utc_day(self.clock)
        if day != self.day:
            self.day, self.spent = day, {}
        asked = self.spent.setdefault(principal, set())
        if question in asked:
            return True
        if len(asked) >= self.per_day:
            return False
        asked.add(question)
        return True

    async def close(self) -> None:
        return None


class RedisQueryBudget:
    """Spent questions shared by every gateway process: one atomic script per question."""

    def __init__(self, url: str, per_day: int, clock: Clock = time.time) -> None:
        import redis.asyncio as redis

        self.client = redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.per_day = per_day
        self.clock = clock

    async def spend(self, principal: str, question: str) -> bool:
        name = f"lapor:disclosure:{utc_day(self.clock).isoformat()}:{principal}"
        try:
            allowed = await self.client.eval(
                _SPEND, 1, name, question, self.per_day, 2 * _DAY_SECONDS
            )
        except Exception as error:  # any Redis failure: fail closed, see the module docstring
            logger.warning("disclosure budget unavailable; aggregate refused", exc_info=True)
            raise BudgetUnavailableError from error
        return bool(allowed)

    async def close(self) -> None:
        await self.client.aclose()


def build_query_budget(per_day: int, redis_url: str | None) -> QueryBudget | None:
    if per_day <= 0:
        return None
    if redis_url:
        return RedisQueryBudget(redis_url, per_day)
    return MemoryQueryBudget(per_day)


async def charge(budget: QueryBudget | None, principal: str, question: object) -> None:
    """Spend one question of the principal's day, or refuse the aggregate."""
    if budget is None:
        return
    try:
        allowed = await budget.spend(principal, fingerprint(question))
    except BudgetUnavailableError:
        raise AggregateQuotaUnavailableError(
            "aggregates over other regions are unavailable right now; try again shortly"
        ) from None
    if not allowed:
        raise AggregateQuotaError(
            f"today's {budget.per_day} distinct aggregate queries over other regions are "
            "spent; queries inside your own region, and repeats, are still answered",
            limit=budget.per_day,
        )
