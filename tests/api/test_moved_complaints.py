"""A complaint that moved to another source keeps its id: `complaint(id)` and `node(id)` find
it where the owner index says it is handled now, under the scope of where it is now; a source
outside the caller's scope is still never asked; an unreadable index is an error, never a
silent "missing".

The move is made here as a transfer would leave it (the row in the new source, gone from the
old one, the new region in the index): the write path that makes transfers is not built yet.
"""

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.federation.ids import NodeIdCodec, demo_node_id_key
from gateway.federation.owners import OwnerIndex
from gateway.federation.reads import Federation
from gateway.federation.writes import apply_change
from gateway.policy import RowScope
from gateway.regions import load_regions
from gateway.registry import SourceConfig, load_registry, write_registry
from gateway.settings import GatewaySettings
from gateway.sources.changes import ChangeOutcome, ChangeResult, ComplaintChange
from gateway.sources.sql import SqlSource, create_source_engine
from tests.conftest import SECRET, StatementCounter, token_for
from tests.factories import SourceWorld, agency_code, make_agency, make_complaint, write_world

LOOKUP = "query One($id: ID!) { complaint(id: $id) { id title region { code } } }"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Complaint { title } } }"
MOVED_AT = datetime(2024, 3, 1, tzinfo=UTC)


class World:
    """Medan (12.71), Deli Serdang (12.72) and Jakarta (31): one complaint of Medan's moved to
    Deli Serdang, one that stayed, and one moved to Jakarta and back to Medan."""

    def __init__(self, tmp: Path) -> None:
        self.stayed = make_complaint("12.71")
        self.moved = make_complaint("12.71")
        self.moved.update(
            region_code="12.72", regency_code="12.72", agency_code=agency_code("12.72")
        )
        self.returned = make_complaint("12.71")
        self.never_existed = "12.71-9999999"
        worlds = {
            "reg-12.71": (("12.71",), SourceWorld([make_agency("12.71")], [self.stayed])),
            "reg-12.72": (("12.72",), SourceWorld([make_agency("12.72")], [self.moved])),
            "prov-31": (("31",), SourceWorld([make_agency("31")])),
        }
        worlds["reg-12.71"][1].complaints.append(self.returned)
        self.configs = [
            SourceConfig(source_id, "sql", f"sqlite+aiosqlite:///{tmp / source_id}.db", covers)
            for source_id, (covers, _) in worlds.items()
        ]
        self.index_url = f"sqlite+aiosqlite:///{tmp / 'owners.db'}"
        asyncio.run(self._write({config.id: worlds[config.id][1] for config in self.configs}))
        self.registry = tmp / "registry.toml"
        write_registry(self.registry, self.configs)
        self.node_ids = NodeIdCodec.from_file(demo_node_id_key(tmp))

    async def _write(self, worlds: dict[str, SourceWorld]) -> None:
        for config in self.configs:
            engine = create_source_engine(config)
            await write_world(engine, worlds[config.id])
            await engine.dispose()
        index = OwnerIndex(self.index_url)
        await index.open()
        await index.record_move(self.moved["id"], "12.72", MOVED_AT)
        await index.record_move(self.returned["id"], "31", MOVED_AT)
        await index.record_move(self.returned["id"], "12.71", MOVED_AT)  # and back
        await index.close()

    def settings(self, owner_index_url: str | None) -> GatewaySettings:
        return GatewaySettings(
            mode="demo",
            registry=self.registry,
            jwt_secret=SECRET,
            node_id_key_file=demo_node_id_key(self.registry.parent),
            owner_index_url=owner_index_url,
        )

    def id_of(self, complaint: dict[str, Any]) -> str:
        return self.node_ids.encode("Complaint", complaint["id"])


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("moved"))


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings(world.index_url))) as test_client:
        yield test_client


def ask(
    client: TestClient, query: str, node_id: str, tier: str = "NATIONAL", region: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token_for(tier, region)}"} if tier != "PUBLIC" else {}
    response = client.post(
        "/graphql", json={"query": query, "variables": {"id": node_id}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_moved_complaint_keeps_its_id(client: TestClient, world: World) -> None:
    node_id = world.id_of(world.moved)
    for tier, region in (("NATIONAL", None), ("PROVINCIAL", "12"), ("REGENCY", "12.72")):
        found = ask(client, LOOKUP, node_id, tier, region)["data"]["complaint"]
        assert found == {"id": node_id, "title": world.moved["title"], "region": {"code": "12.72"}}
        assert ask(client, NODE, node_id, tier, region)["data"]["node"]["id"] == node_id
    # Its id is the one a listing of its new region gives.
    listed = client.post(
        "/graphql",
        json={"query": '{ complaints(filter: {region: "12.72"}) { edges { node { id } } } }'},
        headers={"Authorization": f"Bearer {token_for('NATIONAL')}"},
    ).json()["data"]["complaints"]["edges"]
    assert [edge["node"]["id"] for edge in listed] == [node_id]


def test_scope_is_where_the_complaint_is_now(client: TestClient, world: World) -> None:
    """Its old region's staff no longer see it; another region's never did."""
    for tier, region in (("REGENCY", "12.71"), ("REGENCY", "31.71"), ("PROVINCIAL", "31")):
        assert ask(client, LOOKUP, world.id_of(world.moved), tier, region) == {
            "data": {"complaint": None}
        }


def test_complaints_that_did_not_move_or_moved_back_are_found_at_home(
    client: TestClient, world: World
) -> None:
    for complaint in (world.stayed, world.returned):
        node_id = world.id_of(complaint)
        body = ask(client, LOOKUP, node_id, "REGENCY", "12.71")
        assert body["data"]["complaint"]["region"] == {"code": "12.71"}
    missing = world.node_ids.encode("Complaint", world.never_existed)
    assert ask(client, LOOKUP, missing) == {"data": {"complaint": None}}


def test_sources_outside_scope_are_not_asked(client: TestClient, world: World) -> None:
    statements = StatementCounter(client.app.state.federation)  # type: ignore[attr-defined]
    # Deli Serdang's staff: the id's home (Medan) is outside their scope, the index is not.
    ask(client, LOOKUP, world.id_of(world.moved), "REGENCY", "12.72")
    assert set(statements.counts) == {"reg-12.72"}
    statements.reset()
    # Medan's staff: asked at home, where it no longer is; Deli Serdang is outside their scope.
    ask(client, LOOKUP, world.id_of(world.moved), "REGENCY", "12.71")
    assert set(statements.counts) == {"reg-12.71"}
    statements.reset()
    # A complaint found at home costs no second round.
    ask(client, LOOKUP, world.id_of(world.stayed))
    assert statements.counts == {"reg-12.71": 1}


def test_without_an_index_a_moved_complaint_is_looked_up_at_home_only(world: World) -> None:
    with TestClient(create_app(world.settings(None))) as bare:
        assert ask(bare, LOOKUP, world.id_of(world.moved)) == {"data": {"complaint": None}}
        assert ask(bare, LOOKUP, world.id_of(world.stayed))["data"]["complaint"] is not None


def test_an_unreadable_index_is_an_error_not_a_missing_complaint(world: World) -> None:
    with TestClient(create_app(world.settings(world.index_url))) as broken:
        index = broken.app.state.federation.owners  # type: ignore[attr-defined]
        working = index.engine
        # Fault injection: the index's server stops answering (nothing listens on port 9).
        index.engine = create_async_engine("postgresql+asyncpg://postgres@127.0.0.1:9/owners")
        try:
            body = ask(broken, LOOKUP, world.id_of(world.moved))
            assert body["data"] == {"complaint": None}
            (error,) = body["errors"]
            assert error["extensions"] == {"code": "SOURCE_UNAVAILABLE", "source": "owner-index"}
            assert error["path"] == ["complaint"]
            # A complaint found at home does not need the index.
            assert ask(broken, LOOKUP, world.id_of(world.stayed))["data"]["complaint"] is not None
        finally:
            index.engine = working  # closed with the app


async def test_a_change_goes_to_where_the_complaint_is_now(world: World) -> None:
    regions = load_regions()
    sources = {config.id: SqlSource(config) for config in world.configs}
    federation = Federation(
        load_registry(world.registry, regions),
        list(sources.values()),
        regions,
        owners=OwnerIndex(world.index_url),
    )
    statements = StatementCounter(federation)
    await federation.open()
    try:
        deli_serdang, medan = RowScope("12.72"), RowScope("12.71")
        change = ComplaintChange(
            world.moved["id"], 1, MOVED_AT.replace(tzinfo=None), "12.72-DINKES",
            (("status", "ON_HOLD"),),
        )  # fmt: skip
        # Medan's staff: it is no longer theirs; Deli Serdang's source is never asked.
        assert await apply_change(federation, change, medan) == ChangeOutcome(
            ChangeResult.NOT_FOUND
        )
        assert set(statements.counts) == {"reg-12.71"}
        outcome = await apply_change(federation, change, deli_serdang)
        assert outcome == ChangeOutcome(ChangeResult.APPLIED, version=2, status="ON_HOLD")
        (record,) = await sources["reg-12.72"].fetch_complaints(
            [world.moved["id"]], deli_serdang, frozenset({"status"})
        )
        assert record.status == "ON_HOLD"
        # The same change again meets the new version: never a second write.
        again = await apply_change(federation, change, deli_serdang)
        assert again == ChangeOutcome(ChangeResult.VERSION_CONFLICT, version=2, status="ON_HOLD")
    finally:
        await federation.close()
