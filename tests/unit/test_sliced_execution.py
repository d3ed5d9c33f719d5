"""Long lists complete in slices that yield to the event loop (gateway/graph/execution.py).

The loop's hold is measured in CPU time of the loop's thread beyond a 5 ms tick, so a busy
machine (two noisy cores) descheduling the process does not count as a hold; garbage
collection is off while measuring, as its pauses are the process's, not completion's.
"""

import asyncio
import contextlib
import gc
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry

import gateway.graph.execution
from gateway.domain import Channel, ComplaintStatus, Tier
from gateway.graph.execution import SlicedExecutionContext
from schema.stats.types import StatsBucket, StatsKey, StatsResult
from tests.loop_hold import loop_hold

BUCKETS = 10_000
"""The cap's worth of buckets (`stats_bucket_cap`)."""
HOLD_LIMIT = 0.020
"""The longest any one request may hold the loop; a slice is 5 ms, so even two slices and
the monitor's own work stay well below it (6-10 ms measured)."""
STOCK_HOLD = 0.100
"""graphql-core completes 10,000 buckets in one stretch: 0.45-0.5 s of CPU measured. The
control asserts the monitor sees at least this, so the sliced figure cannot pass by luck."""
QUERY = """{ stats {
  buckets { key { province regency agency tier category channel status year month }
            count verified resolved resolutionRate overdue }
  total { count } } }"""


def buckets(n: int) -> list[StatsBucket]:
    return [
        StatsBucket(
            key=StatsKey(
                province="12",
                regency=f"12.{i % 90:02d}",
                agency=f"12.{i % 90:02d}-DINKES",
                tier=Tier.REGENCY,
                category=f"C{i % 20}",
                channel=Channel.WEB,
                status=ComplaintStatus.COMPLETED,
                year=2022 + i % 4,
                month=1 + i % 12,
            ),
            count=i,
            verified=i,
            resolved=i // 2,
            resolution_rate=0.5,
            overdue=1,
        )
        for i in range(n)
    ]


def stats_schema(items: list[StatsBucket], *, sliced: bool = True) -> strawberry.Schema:
    result = StatsResult(
        buckets=items,
        total=StatsBucket(
            key=StatsKey(), count=1, verified=1, resolved=1, resolution_rate=1.0, overdue=0
        ),
        exact=True,
        complete=True,
        missing_sources=[],
    )

    @strawberry.type
    class Query:
        @strawberry.field
        async def stats(self) -> StatsResult:
            return result

    return strawberry.Schema(
        query=Query, execution_context_class=SlicedExecutionContext if sliced else None
    )


@contextlib.contextmanager
def slice_per_item(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every slice ends after one item: each list goes through the sliced path."""
    monkeypatch.setattr(gateway.graph.execution, "SLICE_SECONDS", 0.0)
    yield


async def test_completing_the_caps_worth_of_buckets_holds_the_loop_one_slice_at_a_time() -> None:
    items = buckets(BUCKETS)
    async with loop_hold(collect=False) as stock_hold:
        stock = await stats_schema(items, sliced=False).execute(QUERY)
    async with loop_hold(collect=False) as sliced_hold:
        sliced = await stats_schema(items).execute(QUERY)
    assert stock_hold.worst > STOCK_HOLD
    assert sliced_hold.worst < HOLD_LIMIT
    assert sliced.errors is None
    assert sliced.data == stock.data


@strawberry.type
class Item:
    index: int

    @strawberry.field
    def name(self) -> str | None:
        if self.index % 7 == 3:
            raise ValueError(f"no name for {self.index}")
        return f"item {self.index}"

    @strawberry.field
    async def later(self) -> int:
        await asyncio.sleep(0)
        if self.index % 11 == 5:
            raise ValueError(f"not later for {self.index}")
        return self.index

    @strawberry.field
    def strict(self) -> int:
        if self.index == 250:
            raise ValueError("strict fails at 250")
        return self.index

    @strawberry.field
    def tags(self) -> list[str]:
        return [f"t{self.index}-{n}" for n in range(3)]


@strawberry.type
class ItemsQuery:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return [Item(index=i) for i in range(300)]

    @strawberry.field
    def strict_items(self) -> list[Item] | None:
        return [Item(index=i) for i in range(300)]

    @strawberry.field
    async def awaited(self) -> list[int]:
        async def value(i: int) -> int:
            await asyncio.sleep(0)
            return i

        return [value(i) for i in range(300)]  # type: ignore[misc]


ITEMS_QUERY = """{
  items { index name later tags }
  strictItems { index later strict }
  awaited
}"""


def outcome(result: Any) -> tuple[Any, list[tuple[str, str]]]:
    errors = sorted((str(error.path), error.message) for error in result.errors or ())
    return result.data, errors


async def test_sliced_completion_gives_graphql_cores_data_errors_and_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stock = await strawberry.Schema(query=ItemsQuery).execute(ITEMS_QUERY)
    with slice_per_item(monkeypatch):
        sliced_schema = strawberry.Schema(
            query=ItemsQuery, execution_context_class=SlicedExecutionContext
        )
        sliced = await sliced_schema.execute(ITEMS_QUERY)
    assert outcome(sliced) == outcome(stock)
    data, errors = outcome(sliced)
    assert data["strictItems"] is None  # a non-null item's error nulls the list
    assert ("['strictItems', 250, 'strict']", "strict fails at 250") in errors
    assert data["items"][3]["name"] is None
    assert ("['items', 3, 'name']", "no name for 3") in errors
    assert data["awaited"] == list(range(300))


class CutAt(list[Any]):
    """A list that expires the request's deadline when completion reaches item `at`, and
    counts the items completion read."""

    def __init__(self, items: list[Any], at: int) -> None:
        super().__init__(items)
        self.at = at
        self.deadline: asyncio.Timeout | None = None
        self.read = 0

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int):
            self.read = max(self.read, index + 1)
            if index == self.at and self.deadline is not None:
                self.deadline.reschedule(asyncio.get_running_loop().time())
        return super().__getitem__(index)


async def execute_within_deadline(schema: strawberry.Schema, query: str, cut: CutAt) -> None:
    """As the endpoint does: `asyncio.timeout` around execution (expired by `cut`)."""
    async with asyncio.timeout(None) as deadline:
        cut.deadline = deadline
        await schema.execute(query)


async def test_the_request_deadline_cuts_a_long_completion() -> None:
    items = CutAt(buckets(BUCKETS), 1_000)
    with pytest.raises(TimeoutError):
        await execute_within_deadline(stats_schema(items), QUERY, items)
    # Cut at the next yield, one slice later, not after every bucket (graphql-core alone
    # completes all 10,000 in one stretch, before the deadline can fire).
    assert 1_000 < items.read < BUCKETS


async def test_a_cut_completion_leaves_no_coroutine_unawaited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def value(i: int) -> int:
        return i

    items = CutAt([value(i) for i in range(100)], 10)

    @strawberry.type
    class Query:
        @strawberry.field
        async def values(self) -> list[int]:
            return items

    sliced = strawberry.Schema(query=Query, execution_context_class=SlicedExecutionContext)
    with slice_per_item(monkeypatch), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(TimeoutError):
            await execute_within_deadline(sliced, "{ values }", items)
        assert 10 < items.read < 100
        items.clear()
        gc.collect()
    assert not [warning for warning in seen if "never awaited" in str(warning.message)]
