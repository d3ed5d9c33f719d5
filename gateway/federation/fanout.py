"""Every call to a source goes through here: a deadline inside the call, a circuit breaker, one
budgeted retry of transient failures, and coalescing of identical concurrent calls.

A failing or slow source never fails the request: its failure is returned beside the answers
of the others, with a stable code and no internal text. The deadline lives inside each source
call (cut to what the request has left), never around a shared loader future.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from gateway.errors import (
    SourceError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from gateway.federation.breaker import BreakerState, CircuitBreaker
from gateway.federation.coalesce import Coalescer
from gateway.federation.deadline import request_deadline, time_left
from gateway.federation.retry import RetryBudget
from gateway.sources.base import Source

logger = logging.getLogger("lapor.sources")

T = TypeVar("T")

RETRYABLE = (SourceUnavailableError,)
"""Transient failures worth one more try: the connection failed before an answer. Timeouts
are not retried (the deadline is spent), nor are bad or oversized answers (they would repeat)."""


@dataclass(frozen=True, slots=True)
class SourceFailure:
    source_id: str
    code: str

    @property
    def message(self) -> str:
        return f"source {self.source_id} did not answer ({self.code})"


async def call_source(source: Source, call: Callable[[Source], Awaitable[T]]) -> T:
    """One attempt, under the source's timeout cut to the request's deadline; failures become
    coded `SourceError`s that name the source and carry no internal text."""
    source_id = source.config.id
    limit = time_left(source.config.timeout)
    if limit <= 0:
        raise SourceTimeoutError("request deadline reached", source=source_id)
    try:
        async with asyncio.timeout(limit):
            return await call(source)
    except TimeoutError:
        raise SourceTimeoutError("source timed out", source=source_id) from None
    except SourceError as error:
        error.extensions["source"] = source_id
        raise
    except OSError:
        logger.warning("source %s unavailable", source_id, exc_info=True)
        raise SourceUnavailableError("source unavailable", source=source_id) from None
    except Exception:
        logger.exception("source %s failed", source_id)
        raise SourceError("source failed", source=source_id) from None


class SourceCallObserver(Protocol):
    """Sees every guarded source call (metrics, tracing)."""

    def observe(self, source_id: str) -> contextlib.AbstractContextManager[None]:
        """Entered around one guarded call; sees its exception (a coded `SourceError`)."""
        ...


@dataclass
class SourceGuard:
    breaker: CircuitBreaker
    budget: RetryBudget = field(default_factory=RetryBudget)


class SourceCalls:
    """The guarded way to call the sources of one federation."""

    def __init__(
        self,
        source_ids: Iterable[str],
        failure_threshold: int = 5,
        reset_after: float = 10.0,
        observers: Iterable[SourceCallObserver] = (),
    ) -> None:
        self.guards = {
            source_id: SourceGuard(CircuitBreaker(failure_threshold, reset_after))
            for source_id in source_ids
        }
        self.coalescer = Coalescer()
        self.observers = list(observers)

    def state(self, source_id: str) -> BreakerState:
        return self.guards[source_id].breaker.state

    async def call(
        self,
        source: Source,
        call: Callable[[Source], Awaitable[T]],
        key: Hashable | None = None,
    ) -> T:
        """`key` names the call for coalescing (None: never shared)."""
        if key is None:
            return await self._guarded(source, call)

        async def shared() -> T:
            # The shared call belongs to no one request: the source's own timeout bounds it,
            # and each waiter below gives up at its own deadline.
            request_deadline.set(None)
            return await self._guarded(source, call)

        shared_key = (source.config.id, key)
        limit = time_left(source.config.timeout)
        if limit >= source.config.timeout:
            # The source's own timeout comes first: the shared call enforces it (and tells
            # the breaker), so this waiter needs no clock of its own.
            return await self.coalescer.run(shared_key, shared)
        try:
            async with asyncio.timeout(max(limit, 0.0)):
                return await self.coalescer.run(shared_key, shared)
        except TimeoutError:
            raise SourceTimeoutError("request deadline reached", source=source.config.id) from None

    async def fan_out(
        self,
        sources: Iterable[Source],
        call: Callable[[Source], Awaitable[T]],
        key: Hashable | None = None,
    ) -> tuple[dict[str, T], list[SourceFailure]]:
        """The same call on every source in parallel: answers by source id, and failures."""
        sources = list(sources)
        results = await asyncio.gather(
            *(self.call(source, call, key) for source in sources), return_exceptions=True
        )
        answers: dict[str, T] = {}
        failures: list[SourceFailure] = []
        for source, result in zip(sources, results, strict=True):
            if isinstance(result, SourceError):
                failures.append(SourceFailure(source.config.id, result.code))
            elif isinstance(result, BaseException):
                raise result
            else:
                answers[source.config.id] = result
        return answers, failures

    async def _guarded(self, source: Source, call: Callable[[Source], Awaitable[T]]) -> T:
        if not self.observers:
            return await self._attempts(source, call)
        with contextlib.ExitStack() as stack:
            for observer in self.observers:
                stack.enter_context(observer.observe(source.config.id))
            return await self._attempts(source, call)

    async def _attempts(self, source: Source, call: Callable[[Source], Awaitable[T]]) -> T:
        """The breaker's verdict, one attempt, and one budgeted retry of a refused connection."""
        guard = self.guards[source.config.id]
        if not guard.breaker.allow():
            raise SourceUnavailableError("source circuit is open", source=source.config.id)
        guard.budget.record_call()
        try:
            try:
                result = await call_source(source, call)
            except RETRYABLE:
                if not guard.budget.try_spend():
                    raise
                result = await call_source(source, call)
        except SourceError:
            guard.breaker.record_failure()
            raise
        except asyncio.CancelledError:
            guard.breaker.abandon()
            raise
        guard.breaker.record_success()
        return result
