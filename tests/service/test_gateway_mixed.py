"""The gateway over a registry mixing `sql` and `remote` sources answers exactly like the
all-sql registry over the same databases: pages, journeys, reporters and stats, per tier.

Two of the five sources of `tests.conftest.small_world` (Kota Medan, which holds the reporters
and the cross-tier journey, and DKI Jakarta) run as source services on 127.0.0.1; the gateway
signs a scope token for every call to them.
"""

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.federation.ids import demo_node_id_key
from gateway.registry import SourceConfig, write_registry
from gateway.service.app import create_service_app
from gateway.settings import GatewaySettings
from tests.conftest import SECRET, small_world, token_for
from tests.factories import write_sqlite_sources
from tests.service.harness import KeyPair, make_key_pair, running_service, service_settings

REMOTE = ("reg-12.71", "prov-31")
PAGE = """
query Page($filter: ComplaintFilter, $order: ComplaintOrder, $after: String) {
  complaints(first: 15, filter: $filter, orderBy: $order, after: $after) {
    totalCount complete missingSources
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id trackingId title body status type channel submittedAt verifiedAt finishedAt
      isAnonymous isConfidential region { code } incidentRegion { code }
      handlingAgency { code name tier } category { code name }
      statusHistory { fromStatus toStatus at actorAgency { code } }
      dispositions { fromAgency { code tier } toAgency { code tier } at reason }
      followUps { at body }
      reporter { name nik }
    } }
  }
}
"""
STATS = """
query Stats($filter: ComplaintFilter, $groupBy: [StatsDimension!]!) {
  complaintStats(filter: $filter, groupBy: $groupBy) {
    complete missingSources
    total { count verified resolved resolutionRate overdue suppressed }
    buckets { key { province regency tier status year month } count verified resolved
              resolutionRate overdue suppressed }
  }
}
"""
ONE = "query One($id: ID!) { complaint(id: $id) { id title status dispositions { at } } }"
CALLERS: dict[str, dict[str, Any]] = {
    "national": {"tier": "NATIONAL"},
    "province-12": {"tier": "PROVINCIAL", "region": "12"},
    "medan": {"tier": "REGENCY", "region": "12.71"},
    "medan-operator": {
        "tier": "REGENCY",
        "region": "12.71",
        "role": "OPERATOR",
        "agency": "12.71-DINKES",
    },
    "jakarta": {"tier": "PROVINCIAL", "region": "31"},
    "public": {"tier": "PUBLIC"},
}


def _client(directory: Path, sources: list[SourceConfig], keys: KeyPair) -> TestClient:
    registry = directory / "registry.toml"
    write_registry(registry, sources)
    settings = GatewaySettings(
        mode="demo",
        registry=registry,
        jwt_secret=SECRET,
        audit_url=f"sqlite+aiosqlite:///{directory / 'audit.db'}",
        source_token_key_file=keys.private,
        # Shared like the source-token key: both gateways give a complaint the same id.
        node_id_key_file=demo_node_id_key(keys.private.parent),
    )
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    """(all-sql gateway, mixed gateway) over the same five databases."""
    data = tmp_path_factory.mktemp("mixed")
    sql_configs = asyncio.run(write_sqlite_sources(small_world(), data))
    keys = make_key_pair(data / "keys")
    with ExitStack() as stack:
        mixed = []
        for config in sql_configs:
            if config.id in REMOTE:
                app = create_service_app(service_settings(config, keys.public))
                url = stack.enter_context(running_service(app))
                config = replace(config, kind="remote", url=url, timeout=10.0)
            mixed.append(config)
        (data / "sql").mkdir()
        (data / "mixed").mkdir()
        all_sql = stack.enter_context(_client(data / "sql", sql_configs, keys))
        mixing = stack.enter_context(_client(data / "mixed", mixed, keys))
        yield all_sql, mixing


def ask(client: TestClient, query: str, variables: dict[str, Any], caller: str) -> Any:
    """The whole JSON body (errors included: they must be the same too)."""
    who = CALLERS[caller]
    headers = {}
    if who["tier"] != "PUBLIC":
        token = token_for(who["tier"], who.get("region"), who.get("role"), who.get("agency"))
        headers["Authorization"] = f"Bearer {token}"
    response = client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def pages(client: TestClient, caller: str, **variables: Any) -> list[Any]:
    """Every page of a listing, following the cursors (or the refusal, if refused)."""
    answers, after = [], None
    for _ in range(30):
        body = ask(client, PAGE, {**variables, "after": after}, caller)
        answers.append(body)
        if body.get("errors") or not body["data"]["complaints"]["pageInfo"]["hasNextPage"]:
            return answers
        after = body["data"]["complaints"]["pageInfo"]["endCursor"]
    raise AssertionError("paging did not end")


def nodes_of(answers: list[Any]) -> list[Any]:
    return [edge["node"] for body in answers for edge in body["data"]["complaints"]["edges"]]


LISTINGS: dict[str, dict[str, Any]] = {
    "all": {},
    "ascending": {"order": "SUBMITTED_AT_ASC"},
    "region-12": {"filter": {"region": "12"}},
    "status": {"filter": {"status": ["IN_PROGRESS", "SUBMITTED"]}},
    "incident": {"filter": {"incidentRegion": "12.71"}},
}
CASES = [(caller, "all") for caller in CALLERS] + [
    (caller, listing)
    for listing in LISTINGS
    if listing != "all"
    for caller in ("national", "medan-operator", "public")
]


@pytest.mark.parametrize(("caller", "listing"), CASES)
def test_complaints_are_the_same_through_remote_sources(
    gateways: tuple[TestClient, TestClient], caller: str, listing: str
) -> None:
    all_sql, mixed = gateways
    variables = LISTINGS[listing]
    expected = pages(all_sql, caller, **variables)
    assert pages(mixed, caller, **variables) == expected
    assert all(body["data"]["complaints"]["complete"] for body in expected if body["data"])


def test_the_comparison_is_not_vacuous(gateways: tuple[TestClient, TestClient]) -> None:
    """Remote rows, journeys across tiers and reporters are all in the compared answers."""
    mixed = gateways[1]
    nodes = nodes_of(pages(mixed, "medan-operator"))
    assert len(nodes) == 33
    assert any(node["reporter"] for node in nodes)
    assert any(len(node["dispositions"]) == 2 for node in nodes)
    jakarta = nodes_of(pages(mixed, "jakarta"))
    assert {node["region"]["code"] for node in jakarta} == {"31.71"}


@pytest.mark.parametrize("caller", ["national", "medan", "public"])
@pytest.mark.parametrize(
    ("group_by", "filter_"),
    [
        (["PROVINCE"], None),
        (["REGENCY", "STATUS"], {"region": "12"}),
        (["YEAR", "MONTH"], None),
        (["TIER"], {"submittedFrom": "2023-03-01"}),
        (["REGENCY"], {"region": "12.71", "text": "nomor"}),
    ],
)
def test_complaint_stats_are_the_same_through_remote_sources(
    gateways: tuple[TestClient, TestClient],
    caller: str,
    group_by: list[str],
    filter_: dict[str, Any] | None,
) -> None:
    all_sql, mixed = gateways
    variables = {"groupBy": group_by, "filter": filter_}
    expected = ask(all_sql, STATS, variables, caller)
    assert ask(mixed, STATS, variables, caller) == expected
    if expected["data"] is not None:  # else refused alike (content filters: own region only)
        assert expected["data"]["complaintStats"]["complete"] is True
        assert expected["data"]["complaintStats"]["total"]["count"] > 0


@pytest.mark.parametrize("caller", ["national", "medan", "jakarta", "public"])
def test_lookup_by_id_is_the_same_through_remote_sources(
    gateways: tuple[TestClient, TestClient], caller: str
) -> None:
    all_sql, mixed = gateways
    ids = [node["id"] for node in nodes_of(pages(all_sql, "national"))]
    for node_id in ids[::5]:
        expected = ask(all_sql, ONE, {"id": node_id}, caller)
        assert ask(mixed, ONE, {"id": node_id}, caller) == expected
