"""The gateway checks what sources return: a source that ignores the scope it was given is not
trusted, and identities the policy withholds stay withheld whatever a source sends."""

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.federation.reads import Federation
from gateway.policy import EVERYTHING, RowScope
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings
from gateway.sources.base import ComplaintCriteria, Dimension, PageRequest
from gateway.sources.records import ComplaintRecord, ReporterRecord, StatsPart, StatsRow
from gateway.sources.sql import SqlSource, create_source_engine
from tests.conftest import SECRET, token_for
from tests.factories import SourceWorld, make_agency, make_complaint, write_world

MOVED_ID = "12.71-7777777"  # an id whose home is 12.71, for a complaint now handled in 12.72


class ScopeIgnoringSource(SqlSource):
    """Fault injection: answers as if every caller were national."""

    async def fetch_page(self, request: PageRequest) -> list[ComplaintRecord]:
        widened = replace(request, criteria=replace(request.criteria, scope=EVERYTHING))
        return await super().fetch_page(widened)

    async def fetch_complaints(
        self, ids: Sequence[str], scope: RowScope, columns: frozenset[str]
    ) -> list[ComplaintRecord]:
        return await super().fetch_complaints(ids, EVERYTHING, columns)


class ReporterLeakingSource(SqlSource):
    """Fault injection: returns a reporter for every id asked, and for some it was not; and
    claims every aggregate row is the caller's own (so counted exactly)."""

    async def fetch_stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None = None,
    ) -> list[StatsRow]:
        rows = await super().fetch_stats(criteria, dimensions, split)
        return [replace(row, part=StatsPart.OWN) for row in rows]

    async def fetch_reporters(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[ReporterRecord]:
        asked = [*complaint_ids, "31.71-0000000"]
        return [ReporterRecord(cid, f"Leaked {cid}", "1", "2", "3") for cid in asked]


def build(config: SourceConfig, world: SourceWorld) -> None:
    async def write() -> None:
        engine = create_source_engine(config)
        await write_world(engine, world)
        await engine.dispose()

    asyncio.run(write())


@pytest.fixture(scope="module")
def faulty_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp: Path = tmp_path_factory.mktemp("faulty")
    north = SourceConfig("prov-12", "sql", f"sqlite+aiosqlite:///{tmp}/p12.db", ("12",))
    jakarta = SourceConfig("prov-31", "sql", f"sqlite+aiosqlite:///{tmp}/p31.db", ("31",))
    build(
        north,
        SourceWorld(agencies=[make_agency("12.71"), make_agency("12.72")]).add(
            [
                make_complaint("12.71"),
                make_complaint("12.72"),
                make_complaint("12.72", id=MOVED_ID),
            ]
        ),
    )
    build(
        jakarta,
        SourceWorld(agencies=[make_agency("31.71")]).add(
            [
                make_complaint("31.71"),
                make_complaint("31.71", is_anonymous=True),
                *(make_complaint("31.73", is_confidential=True) for _ in range(2)),
            ]
        ),
    )
    registry = tmp / "registry.toml"
    write_registry(registry, [north, jakarta])
    settings = GatewaySettings(
        mode="demo",
        registry=registry,
        jwt_secret=SECRET,
        audit_url=f"sqlite+aiosqlite:///{tmp}/audit.db",
    )
    app = create_app(settings)
    federation: Federation = app.state.federation
    federation.sources["prov-12"] = ScopeIgnoringSource(north)
    federation.sources["prov-31"] = ReporterLeakingSource(jakarta)
    with TestClient(app) as client:
        yield client


def ask(client: TestClient, query: str, **caller: str) -> Any:
    headers = {}
    if caller:
        token = token_for(
            caller["tier"], caller.get("region"), caller.get("role"), caller.get("agency")
        )
        headers["Authorization"] = f"Bearer {token}"
    response = client.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200
    return response.json()


def test_a_source_returning_rows_outside_the_scope_is_dropped_and_named(
    faulty_client: TestClient,
) -> None:
    body = ask(
        faulty_client,
        '{ complaints(first: 10, filter: {region: "12"}) { complete '
        "missingSources edges { node { region { code } } } } }",
        tier="REGENCY",
        region="12.71",
    )
    assert body["data"] == {
        "complaints": {"complete": False, "missingSources": ["prov-12"], "edges": []}
    }
    assert body["errors"][0]["extensions"] == {"code": "SOURCE_BAD_RESPONSE", "source": "prov-12"}


def test_a_lookup_answered_outside_the_scope_is_null(faulty_client: TestClient) -> None:
    node_id = ask(
        faulty_client,
        '{ complaints(first: 10, filter: {region: "12.72"}) { edges { node { id } } } }',
        tier="NATIONAL",
    )
    moved = [e["node"]["id"] for e in node_id["data"]["complaints"]["edges"]]
    assert len(moved) == 2
    for candidate in moved:
        # The moved complaint's id routes to 12.71's owner, which answers with a 12.72 row.
        body = ask(
            faulty_client,
            f'{{ complaint(id: "{candidate}") {{ id }} }}',
            tier="REGENCY",
            region="12.71",
        )
        assert body == {"data": {"complaint": None}}


def test_leaked_reporters_are_shown_only_where_policy_asked(faulty_client: TestClient) -> None:
    query = "{ complaints(first: 10) { edges { node { isAnonymous reporter { name } } } } }"
    operator = ask(
        faulty_client, query, tier="REGENCY", region="31.71", role="OPERATOR", agency="31.71-DINKES"
    )
    nodes = [edge["node"] for edge in operator["data"]["complaints"]["edges"]]
    assert sorted((n["isAnonymous"], n["reporter"] is None) for n in nodes) == [
        (False, False),
        (True, True),
    ]
    assert "31.71-0000000" not in str(operator)
    analyst = ask(faulty_client, query, tier="NATIONAL", role="ANALYST")
    assert "Leaked" not in str(analyst)


def test_without_an_access_log_no_identity_is_shown(tmp_path: Path) -> None:
    config = SourceConfig("prov-31", "sql", f"sqlite+aiosqlite:///{tmp_path}/p31.db", ("31",))
    build(config, SourceWorld(agencies=[make_agency("31.71")]).add([make_complaint("31.71")]))
    registry = tmp_path / "registry.toml"
    write_registry(registry, [config])
    settings = GatewaySettings(mode="demo", registry=registry, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        federation: Federation = client.app.state.federation  # type: ignore[attr-defined]
        federation.sources["prov-31"] = ReporterLeakingSource(config)
        body = ask(
            client,
            "{ complaints { edges { node { reporter { name } } } } }",
            tier="REGENCY",
            region="31.71",
            role="OPERATOR",
            agency="31.71-DINKES",
        )
    assert body["data"]["complaints"]["edges"] == [{"node": {"reporter": None}}]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["AUDIT_UNAVAILABLE"]
    assert "Leaked" not in str(body)


@pytest.mark.parametrize(
    "caller",
    [{}, {"tier": "REGENCY", "region": "12.71"}],
    ids=["public", "regency-elsewhere"],
)
def test_a_source_cannot_exempt_protected_complaints_from_disclosure_control(
    faulty_client: TestClient, caller: dict[str, str]
) -> None:
    query = """{ complaintStats(filter: {region: "31"}, groupBy: [REGENCY]) {
        buckets { key { regency } count } total { count } exact } }"""
    body = ask(faulty_client, query, **caller)
    stats = body["data"]["complaintStats"]
    # Jakarta's complaints are nobody's here but Jakarta's, whatever the source claims: all
    # of its rows count as protected, and 2 or 4 of them are below the threshold of 5.
    assert stats["buckets"] == []
    assert stats["total"]["count"] == 0
