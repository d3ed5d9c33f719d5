"""A daily budget of aggregate buckets a caller may be shown outside its own scope.

The cell key method gives the same answer to the same question, so repeating one averages
nothing away; what remains is averaging many *different* questions over the same complaints,
each with its own noise (docs/authorization.md). Every bucket of every answer is one more noisy
look at the protected complaints in it, so the budget counts buckets, not queries: a question
costs the buckets it shows (and one for its total), the first time it is asked that day;
asking it again costs nothing. A question that does not fit is refused and spends the rest of
the day, and the refusal says nothing of its answer: otherwise free refusals, each telling
whether an answer fits, would be a way round the budget.

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
_TOTAL = "~spent"
# Spends a question's weight unless it was asked before; answers 1 when it may be answered.
# A question that does not fit spends the rest of the day.
_SPEND = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
local spent = tonumber(redis.call('HGET', KEYS[1], ARGV[4]) or '0')
if spent + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], ARGV[4], ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], ARGV[4], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

Clock = Callable[[], float]


class BudgetUnavailableError(Exception):
    """The shared store of spent questions cannot be reached."""


def fingerprint(question: object) -> str:
    """A short stable digest of a question (its filter and grouping, as a repr)."""
    return hashlib.sha256(repr(question).encode()).hexdigest()[:32]


def utc_day(clock: Clock) -> date:
    return datetime.fromtimestamp(clock(), UTC).date()


class QueryBudget(Protocol):
    per_day: int
    """Buckets per principal and UTC day."""
    clock: Clock
    """Seconds since the epoch."""

    async def spend(self, principal: str, question: str, buckets: int) -> bool:
        """Spend a new question's buckets; False when they do not fit in the day's budget,
        which then spends the rest of the day (so whether later questions fit tells nothing
        about their answers)."""
        ...

    async def close(self) -> None: ...


class MemoryQueryBudget:
    """Spent questions of this process, for today only."""

    def __init__(self, per_day: int, clock: Clock = time.time) -> None:
        self.per_day = per_day
        self.clock = clock
        self.day: date | None = None
        self.spent: dict[str, dict[str, int]] = {}

    async def spend(self, principal: str, question: str, buckets: int) -> bool:
        day = utc_day(self.clock)
        if day != self.day:
            self.day, self.spent = day, {}
        asked = self.spent.setdefault(principal, {})
        if question in asked:
            return True
        spent = sum(asked.values())
        if spent + buckets > self.per_day:
            asked[_TOTAL] = self.per_day - spent + asked.get(_TOTAL, 0)  # the rest of the day
            return False
        asked[question] = buckets
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

    async def spend(self, principal: str, question: str, buckets: int) -> bool:
        name = f"lapor:disclosure:{utc_day(self.clock).isoformat()}:{principal}"
        arguments = (question, buckets, self.per_day, _TOTAL, 2 * _DAY_SECONDS)
        try:
            allowed = await self.client.eval(_SPEND, 1, name, *arguments)
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


async def charge(
    budget: QueryBudget | None, principal: str, question: object, buckets: int
) -> None:
    """Spend a question's buckets of the principal's day, or refuse its answer."""
    if budget is None:
        return
    try:
        allowed = await budget.spend(principal, fingerprint(question), buckets)
    except BudgetUnavailableError:
        raise AggregateQuotaUnavailableError(
            "aggregates over other regions are unavailable right now; try again shortly"
        ) from None
    if not allowed:  # says nothing of the answer: its size is a figure of the data
        raise AggregateQuotaError(
            f"today's {budget.per_day:,} buckets of aggregates over other regions are used up; "
            "questions inside your own region, and questions already answered today, are "
            "still answered",
            limit=budget.per_day,
        )
