"""Guarded source calls: deadlines, circuit breaker, retry budget, coalescing."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gateway.errors import SourceError, SourceTimeoutError, SourceUnavailableError
from gateway.federation.breaker import BreakerState, CircuitBreaker
from gateway.federation.deadline import request_deadline
from gateway.federation.fanout import SourceCalls
from gateway.federation.retry import RetryBudget
from gateway.registry import SourceConfig


class FakeSource:
    """Fault injection: a source whose answer is a script of behaviours."""

    def __init__(self, source_id: str = "s", timeout: float = 5.0) -> None:
        self.config = SourceConfig(source_id, "sql", "sqlite://", ("11",), timeout=timeout)
        self.calls = 0

    def answering(self, *script: Callable[[], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
        async def call(_: Any) -> Any:
            behaviour = script[min(self.calls, len(script) - 1)]
            self.calls += 1
            return await behaviour()

        return call


async def ok() -> str:
    return "ok"


async def refused() -> str:
    raise ConnectionRefusedError("connect to 10.1.2.3:5432 refused")


async def broken() -> str:
    raise RuntimeError("SELECT * FROM secret_table failed")


async def hang() -> str:
    await asyncio.sleep(30)
    return "late"


async def test_a_refused_connection_is_retried_once_within_the_budget() -> None:
    source = FakeSource()
    calls = SourceCalls([source.config.id])
    assert await calls.call(source, source.answering(refused, ok)) == "ok"  # type: ignore[arg-type]
    assert source.calls == 2


async def test_without_budget_there_is_no_retry() -> None:
    source = FakeSource()
    calls = SourceCalls([source.config.id])
    calls.guards["s"].budget = RetryBudget(initial=0.0)
    with pytest.raises(SourceUnavailableError):
        await calls.call(source, source.answering(refused, ok))  # type: ignore[arg-type]
    assert source.calls == 1


async def test_internal_text_never_reaches_the_error() -> None:
    source = FakeSource()
    calls = SourceCalls([source.config.id])
    with pytest.raises(SourceError) as raised:
        await calls.call(source, source.answering(broken))  # type: ignore[arg-type]
    assert "secret_table" not in raised.value.message
    assert raised.value.extensions == {"code": "SOURCE_ERROR", "source": "s"}


async def test_the_breaker_opens_fails_fast_and_recovers_through_one_probe() -> None:
    now = [0.0]
    source = FakeSource()
    calls = SourceCalls([source.config.id])
    calls.guards["s"].breaker = CircuitBreaker(3, reset_after=10.0, clock=lambda: now[0])
    failing = source.answering(broken)
    for _ in range(3):
        with pytest.raises(SourceError):
            await calls.call(source, failing)  # type: ignore[arg-type]
    assert calls.state("s") is BreakerState.OPEN
    with pytest.raises(SourceUnavailableError):
        await calls.call(source, failing)  # type: ignore[arg-type]
    assert source.calls == 3  # the open circuit did not call the source
    now[0] = 10.0
    assert calls.state("s") is BreakerState.HALF_OPEN
    with pytest.raises(SourceError):
        await calls.call(source, failing)  # type: ignore[arg-type]  # the probe fails
    assert calls.state("s") is BreakerState.OPEN
    now[0] = 20.0
    healthy = FakeSource()
    assert await calls.call(healthy, healthy.answering(ok)) == "ok"  # type: ignore[arg-type]
    assert calls.state("s") is BreakerState.CLOSED


async def test_half_open_lets_one_probe_through_at_a_time() -> None:
    now = [0.0]
    breaker = CircuitBreaker(1, reset_after=1.0, clock=lambda: now[0])
    breaker.record_failure()
    now[0] = 1.0
    assert breaker.allow()
    assert not breaker.allow()
    breaker.abandon()
    assert breaker.allow()


async def test_identical_concurrent_calls_share_one_source_call() -> None:
    source = FakeSource()
    calls = SourceCalls([source.config.id])

    async def slow() -> str:
        await asyncio.sleep(0.05)
        return "shared"

    call = source.answering(slow)
    results = await asyncio.gather(
        *(calls.call(source, call, key=("stats", 1)) for _ in range(5))  # type: ignore[arg-type]
    )
    assert results == ["shared"] * 5
    assert source.calls == 1
    assert len(calls.coalescer) == 0


async def test_a_waiter_giving_up_does_not_cancel_the_shared_call() -> None:
    source = FakeSource()
    calls = SourceCalls([source.config.id])

    async def slow() -> str:
        await asyncio.sleep(0.1)
        return "done"

    call = source.answering(slow)
    first = asyncio.ensure_future(calls.call(source, call, key="k"))  # type: ignore[arg-type]
    second = asyncio.ensure_future(calls.call(source, call, key="k"))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    first.cancel()
    assert await second == "done"


async def test_a_hanging_source_is_cut_at_the_request_deadline() -> None:
    source = FakeSource(timeout=5.0)
    calls = SourceCalls([source.config.id])
    request_deadline.set(time.monotonic() + 0.2)
    started = time.monotonic()
    with pytest.raises(SourceTimeoutError):
        await calls.call(source, source.answering(hang))  # type: ignore[arg-type]
    assert time.monotonic() - started < 0.5
    request_deadline.set(None)


async def test_fan_out_returns_answers_and_coded_failures() -> None:
    good, bad = FakeSource("good"), FakeSource("bad", timeout=0.1)
    calls = SourceCalls(["good", "bad"])

    async def call(source: Any) -> str:
        return await (ok() if source is good else hang())

    answers, failures = await calls.fan_out([good, bad], call)  # type: ignore[list-item]
    assert answers == {"good": "ok"}
    assert [(f.source_id, f.code) for f in failures] == [("bad", "SOURCE_TIMEOUT")]


async def test_a_shared_call_is_not_cut_by_the_first_callers_deadline() -> None:
    source = FakeSource(timeout=5.0)
    calls = SourceCalls([source.config.id])

    async def slow() -> str:
        await asyncio.sleep(0.3)
        return "counted"

    call = source.answering(slow)

    async def with_deadline(seconds: float) -> str:
        request_deadline.set(time.monotonic() + seconds)
        return await calls.call(source, call, key=("stats", "same"))  # type: ignore[arg-type]

    hurried = asyncio.ensure_future(with_deadline(0.1))
    await asyncio.sleep(0.01)
    patient = asyncio.ensure_future(with_deadline(5.0))
    with pytest.raises(SourceTimeoutError):
        await hurried
    assert await patient == "counted"
    assert source.calls == 1
