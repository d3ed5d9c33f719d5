"""`complaintStats` is priced and capped by its bucket estimate (gateway/stats_size.py).

The static cost prices `StatsResult.buckets` at the estimate of the literal `groupBy` and
`filter` (clamped at the cap), so asking for many fields of many buckets is over budget at the
edge; a grouping over the cap is refused by the resolver (`STATS_TOO_LARGE`) before any source
is called. Both refusals reach no source: the SQL statements are counted.
"""

from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.graph import build_schema
from gateway.graph.stats_cost import UNKNOWN_GROUPING_BUCKETS
from gateway.playground.examples import EXAMPLE_QUERIES
from gateway.regions import load_regions
from gateway.sources.sql import SqlSource
from gateway.stats_size import DEFAULT_BUCKET_CAP, BucketEstimator
from tests.conftest import StatementCounter
from tests.edge.conftest import EdgeApp, codes, post, production_token

TOKEN = production_token()
ALL_BUT_TYPE = "PROVINCE,REGENCY,AGENCY,TIER,CATEGORY,CHANNEL,STATUS,YEAR,MONTH"
NINE_DIMENSIONS = (
    f"{{ complaintStats(groupBy:[{ALL_BUT_TYPE}]) {{ buckets {{ key {{ province regency agency "
    "tier category channel status year month } count } total { count } } }"
)
"""The finding: ~20 s of CPU on the event loop against the demo data, priced at 1,104."""
NINE_DIMENSIONS_TOTAL_ONLY = (
    f"{{ complaintStats(groupBy:[{ALL_BUT_TYPE}]) {{ total {{ count }} }} }}"
)
"""The same grouping with no bucket selected: cheap to the cost, refused by the cap."""
README_STATS = [
    """{ complaintStats(filter:{region:"12"}, groupBy:[YEAR]) {
        buckets { key { year } count resolutionRate } } }""",
    """{ complaintStats(filter: {submittedFrom: "2023-01-01", submittedTo: "2023-12-31"},
                     groupBy: [PROVINCE]) {
        buckets { key { province } count verified resolved resolutionRate overdue }
        total { count resolutionRate }
        complete missingSources } }""",
    """{ byYear: complaintStats(filter: {region: "12"}, groupBy: [YEAR]) {
          buckets { key { year } count resolutionRate } }
        byRegency: complaintStats(filter: {region: "12", submittedFrom: "2024-01-01"},
                                  groupBy: [REGENCY]) {
          buckets { key { regency } count overdue resolutionRate } } }""",
]


def cost(query: str, **options: Any) -> int:
    prepared = build_schema(**options).documents.prepare(query)
    assert prepared.valid, prepared.errors
    return prepared.cost


def buckets_cost(group_by: str, filter_: str = "", **options: Any) -> int:
    """The bucket count the cost assumes: each bucket costs 1 (`buckets { count }`)."""
    where = f"filter: {filter_}, " if filter_ else ""
    # complaintStats (1) + buckets (1) + one `count` per bucket.
    return cost(f"{{ complaintStats({where}groupBy: {group_by}) {{ buckets {{ count }} }} }}") - 2


@pytest.mark.parametrize(
    ("group_by", "filter_", "buckets"),
    [
        ("[PROVINCE]", "", 38 + 1),  # the national agencies have no province
        ("[PROVINCE, REGENCY]", "", 514 + 38 + 1),  # the regions that exist, not 39 x 515
        ("[REGENCY, TIER]", "", 514 + 1 + 1),
        ("[REGENCY]", '{region: "12"}', 33 + 1),
        ("[AGENCY, STATUS]", '{region: "12.71"}', 21 * 12),
        ("[AGENCY, PROVINCE, REGENCY, TIER]", '{agency: "12.71-DINKES"}', 1),
        ("[STATUS, CHANNEL]", "{status: [VERIFIED, COMPLETED], channel: WEB}", 2 * 1),
        ("[YEAR, MONTH]", '{submittedFrom: "2024-11-01", submittedTo: "2025-02-10"}', 4),
        ("[MONTH]", '{submittedFrom: "2023-03-01", submittedTo: "2024-12-31"}', 12),
        ("[YEAR]", '{submittedFrom: "2023-03-01", submittedTo: "2024-12-31"}', 2),
    ],
)
def test_buckets_cost_their_estimate_under_the_literal_filter(
    group_by: str, filter_: str, buckets: int
) -> None:
    assert buckets_cost(group_by, filter_) == buckets


def test_a_variable_filter_narrows_nothing_and_a_variable_grouping_is_unknown() -> None:
    narrowed = buckets_cost("[REGENCY]", '{region: "12"}')
    as_variable = cost(
        'query($r: String = "12") { complaintStats(filter: {region: $r}, groupBy: [REGENCY]) '
        "{ buckets { count } } }"
    )
    assert as_variable - 2 == buckets_cost("[REGENCY]") > narrowed
    grouping = cost(
        "query($g: [StatsDimension!]!) { complaintStats(groupBy: $g) { buckets { count } } }"
    )
    assert grouping - 2 == UNKNOWN_GROUPING_BUCKETS


def test_the_estimate_is_clamped_at_the_cap() -> None:
    assert cost(NINE_DIMENSIONS_TOTAL_ONLY) == 3  # no bucket selected: nothing to multiply
    assert buckets_cost(f"[{ALL_BUT_TYPE}]") == DEFAULT_BUCKET_CAP
    smaller = BucketEstimator(load_regions(), cap=500)
    query = "{ complaintStats(groupBy: [REGENCY]) { buckets { count } } }"
    assert cost(query, buckets=smaller) - 2 == 500


@pytest.mark.parametrize("query", README_STATS, ids=["curl", "ministry", "province"])
def test_the_readme_stats_fit_the_budget(edge_app: EdgeApp, query: str) -> None:
    assert cost(query) < 50_000
    response = post(edge_app(), query)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


@pytest.mark.parametrize(("title", "query"), EXAMPLE_QUERIES, ids=[t for t, _ in EXAMPLE_QUERIES])
def test_the_playground_examples_fit_the_budget(title: str, query: str) -> None:
    assert cost(query) < 50_000


def test_the_nine_dimension_stats_are_over_budget_at_the_edge(
    production: TestClient, statements: StatementCounter
) -> None:
    statements.reset()
    response = post(production, NINE_DIMENSIONS, token=TOKEN)
    assert response.status_code == 400
    assert codes(response) == ["QUERY_TOO_COMPLEX"]
    # The cap's 10,000 buckets of 12 fields each, not the 100 buckets once assumed.
    assert response.json()["errors"][0]["extensions"]["cost"] > 100_000
    assert statements.total == 0


def test_a_grouping_over_the_cap_is_refused_before_any_source_is_called(
    production: TestClient, statements: StatementCounter
) -> None:
    statements.reset()
    response = post(production, NINE_DIMENSIONS_TOTAL_ONLY, token=TOKEN)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["complaintStats"]
    extensions = error["extensions"]
    assert extensions["code"] == "STATS_TOO_LARGE"
    assert extensions["maxBuckets"] == DEFAULT_BUCKET_CAP
    assert extensions["estimatedBuckets"] > DEFAULT_BUCKET_CAP
    assert "fewer dimensions" in error["message"]
    assert "narrow the filter" in error["message"]
    assert statements.total == 0


def test_the_cap_is_a_setting(edge_app: EdgeApp) -> None:
    client = edge_app(stats_bucket_cap=38)
    over = post(client, "{ complaintStats(groupBy: [PROVINCE]) { total { count } } }")
    assert codes(over) == ["STATS_TOO_LARGE"]
    assert over.json()["errors"][0]["extensions"]["estimatedBuckets"] == 39
    under = post(client, "{ complaintStats(groupBy: [TIER]) { buckets { count } } }")
    assert "errors" not in under.json(), under.text


def test_aliases_share_one_bucket_cap_whatever_their_variables(
    production: TestClient, statements: StatementCounter
) -> None:
    """Ten aliases of a grouping passed in a variable (priced statically at a guess) are
    refused once their estimates add up past the cap, before any source is called."""
    aliases = " ".join(
        f'a{i}: complaintStats(groupBy: $g, filter: {{category: ["C{i}"]}}) {{ total {{ count }} }}'
        for i in range(10)
    )
    statements.reset()
    response = post(
        production,
        f"query Q($g: [StatsDimension!]!) {{ {aliases} }}",
        {"g": ["REGENCY", "STATUS"]},
        token=TOKEN,
    )
    assert set(codes(response)) == {"STATS_TOO_LARGE"}
    assert statements.total == 0
    one = post(
        production,
        "query Q($g: [StatsDimension!]!) { complaintStats(groupBy: $g) { total { count } } }",
        {"g": ["REGENCY", "STATUS"]},
        token=TOKEN,
    )
    assert "errors" not in one.json(), one.text


def test_no_alias_calls_a_source_before_every_alias_is_estimated(
    production: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the threads do: the first alias fits under the cap on its own, and must not
    even start its source calls before the second brings the sum over it."""
    started: list[str] = []
    original = SqlSource.fetch_stats

    async def recording(self: SqlSource, *args: Any, **kwargs: Any) -> Any:
        started.append(self.config.id)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SqlSource, "fetch_stats", recording)
    aliases = " ".join(
        f"a{i}: complaintStats(groupBy: $g) {{ total {{ count }} }}" for i in range(2)
    )
    response = post(
        production,
        f"query Q($g: [StatsDimension!]!) {{ {aliases} }}",
        {"g": ["REGENCY", "STATUS"]},
        token=TOKEN,
    )
    assert set(codes(response)) == {"STATS_TOO_LARGE"}
    assert started == []
