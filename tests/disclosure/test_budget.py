"""The daily budget of aggregate buckets outside one's own scope: a question costs its buckets
and its total the first time it is asked each day."""

import os
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.disclosure.budget import MemoryQueryBudget, QueryBudget, RedisQueryBudget
from tests.disclosure.conftest import Ask, asker, gateway_settings
from tests.disclosure.world import Truth, is_listable

NOON = 1_764_590_400.0  # 2025-12-01T12:00:00Z
DAY = 86_400.0
QUERY = """query Q($filter: ComplaintFilter) {
  complaintStats(filter: $filter, groupBy: []) { total { count } exact }
}"""
"""One bucket and the total: 2 buckets of the budget each time a new filter is asked."""


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        if os.environ.get("CI") == "true":
            raise
        return False
    return True


def ask_region(ask: Ask, region: str, tier: str = "REGENCY", **extra: Any) -> dict[str, Any]:
    return ask(QUERY, {"filter": {"region": region, **extra}}, tier=tier)


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", ())]


@pytest.fixture
def capped(registry: Path) -> Iterator[tuple[Ask, QueryBudget]]:
    app = create_app(gateway_settings(registry, out_of_scope_buckets_per_day=6))
    with TestClient(app) as client:
        budget: QueryBudget = app.state.query_budget
        budget.clock = lambda: NOON
        yield asker(client), budget


def test_distinct_out_of_scope_queries_beyond_the_cap_are_refused(
    capped: tuple[Ask, QueryBudget],
) -> None:
    ask, _ = capped
    for region in ("12.72", "12.73", "12.74"):
        assert codes(ask_region(ask, region)) == []
    refused = ask_region(ask, "12.75")
    assert codes(refused) == ["AGGREGATE_QUOTA_EXCEEDED"]
    assert refused["data"] is None or refused["data"]["complaintStats"] is None
    assert refused["errors"][0]["extensions"] == {"code": "AGGREGATE_QUOTA_EXCEEDED", "limit": 6}
    # A question already asked today is answered again, the same way.
    assert codes(ask_region(ask, "12.72")) == []
    # A different filter is a different question, even over the same region.
    assert codes(ask_region(ask, "12.72", category=["SOSIAL"])) == ["AGGREGATE_QUOTA_EXCEEDED"]


def test_own_region_national_and_public_queries_spend_nothing(
    capped: tuple[Ask, QueryBudget],
) -> None:
    ask, _ = capped
    for _ in range(2):
        for category in ("SOSIAL", "PERIZINAN", "KESEHATAN", "LINGKUNGAN"):
            assert codes(ask_region(ask, "12.71", category=[category])) == []
            assert codes(ask_region(ask, "12.72", "NATIONAL", category=[category])) == []
            assert codes(ask_region(ask, "12.72", "PUBLIC", category=[category])) == []
    for region in ("12.72", "12.73", "12.74"):
        assert codes(ask_region(ask, region)) == []


def test_the_budget_is_renewed_the_next_day(capped: tuple[Ask, QueryBudget]) -> None:
    ask, budget = capped
    for region in ("12.72", "12.73", "12.74"):
        ask_region(ask, region)
    assert codes(ask_region(ask, "12.75")) == ["AGGREGATE_QUOTA_EXCEEDED"]
    budget.clock = lambda: NOON + DAY
    assert codes(ask_region(ask, "12.75")) == []


async def test_each_principal_has_its_own_budget_counted_in_buckets() -> None:
    budget = MemoryQueryBudget(10, clock=lambda: NOON)
    assert await budget.spend("REGENCY:a", "q1", 6)
    assert await budget.spend("REGENCY:a", "q2", 1)
    assert not await budget.spend("REGENCY:a", "q3", 4)
    # The refusal spent the rest of the day: even what would have fitted before is refused.
    assert not await budget.spend("REGENCY:a", "q4", 3)
    assert await budget.spend("REGENCY:b", "q3", 4)
    assert await budget.spend("REGENCY:a", "q1", 6)  # asked before: free


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not reachable on 127.0.0.1:6379")
async def test_the_budget_is_shared_by_every_gateway_process_through_redis() -> None:
    url = "redis://127.0.0.1:6379/15"
    principal = os.urandom(4).hex()  # its own, so reruns never share a budget
    first, second = (RedisQueryBudget(url, 10, clock=lambda: NOON) for _ in range(2))
    try:
        assert await first.spend(principal, "q1", 6)
        assert await second.spend(principal, "q2", 1)
        assert not await first.spend(principal, "q3", 4)
        assert not await second.spend(principal, "q4", 3)  # the refusal spent the day
        assert await second.spend(principal, "q1", 6)  # asked before: free
    finally:
        await first.close()
        await second.close()


def test_out_of_scope_aggregates_are_refused_when_redis_is_down(registry: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = gateway_settings(
        registry, out_of_scope_buckets_per_day=5, redis_url=f"redis://127.0.0.1:{closed_port}/0"
    )
    with TestClient(create_app(settings)) as client:
        ask = asker(client)
        assert codes(ask_region(ask, "12.72")) == ["AGGREGATE_QUOTA_UNAVAILABLE"]
        assert codes(ask_region(ask, "12.71")) == []  # its own region needs no budget


BY_STATUS = """query Q($filter: ComplaintFilter) {
  complaintStats(filter: $filter, groupBy: [STATUS, CHANNEL, YEAR]) {
    buckets { key { status } count } exact
  }
}"""


def hidden_groups(truth: Truth, region: str) -> int:
    """Groups of BY_STATUS over `region` holding only a few protected complaints: counted by
    the sources, shown as empty (so left out)."""
    groups = Counter(
        (row["status"], row["channel"], row["submitted_year"])
        for row in truth.rows
        if row["regency_code"] == region and not is_listable(row)
    )
    listable = {
        (row["status"], row["channel"], row["submitted_year"])
        for row in truth.rows
        if row["regency_code"] == region and is_listable(row)
    }
    return sum(1 for key, count in groups.items() if key not in listable and count < 5)


def test_a_question_costs_the_buckets_it_shows_not_the_groups_it_hides(
    registry: Path, truth: Truth
) -> None:
    """Found outside: the budget counted every group the sources returned, hidden ones too,
    so what was left of it told how many groups hold only protected complaints."""
    with TestClient(create_app(gateway_settings(registry, out_of_scope_buckets_per_day=0))) as c:
        shown = asker(c)(BY_STATUS, {"filter": {"region": "12.72"}})
    buckets = len(shown["data"]["complaintStats"]["buckets"])
    assert hidden_groups(truth, "12.72") > 0, "the world must hide a group for this to test"
    settings = gateway_settings(registry, out_of_scope_buckets_per_day=buckets + 1)
    with TestClient(create_app(settings)) as client:
        body = asker(client)(BY_STATUS, {"filter": {"region": "12.72"}})
    assert codes(body) == []
    assert len(body["data"]["complaintStats"]["buckets"]) == buckets


def test_a_refusal_tells_nothing_taken_from_the_data(
    capped: tuple[Ask, QueryBudget], truth: Truth
) -> None:
    """Found outside: a refusal reported the answer's group count, hidden groups included, and
    cost nothing, so once the budget was spent every question told its hidden groups for
    free. Now a refusal carries only the limit, and spends what was left of the day."""
    ask, _ = capped
    assert codes(ask_region(ask, "12.72")) == []  # 2 of 6 spent
    refusals = []
    for region in ("12.73", "12.74", "12.75"):
        assert hidden_groups(truth, region) > 0
        body = ask(BY_STATUS, {"filter": {"region": region}})  # more than the 4 left
        assert codes(body) == ["AGGREGATE_QUOTA_EXCEEDED"]
        refusals.append(body["errors"][0])
    for refusal in refusals:
        assert refusal["extensions"] == {"code": "AGGREGATE_QUOTA_EXCEEDED", "limit": 6}
        assert refusal["message"] == refusals[0]["message"]
    # The first refusal spent the rest of the day: a question of one bucket is refused too.
    assert codes(ask_region(ask, "12.76")) == ["AGGREGATE_QUOTA_EXCEEDED"]
    assert codes(ask_region(ask, "12.72")) == []  # answered before: still answered
