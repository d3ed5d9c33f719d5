"""A failing source never fails the request: its rows are missing and the error says why."""

import asyncio
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings
from gateway.sources.sql import create_source_engine
from tests.conftest import SECRET, token_for
from tests.factories import SourceWorld, make_agency, make_complaint, write_world

QUERY = """{
  complaints(first: 10) {
    complete missingSources totalCount
    edges { node { title dispositions { toAgency { code } } } }
  }
  complaintStats(groupBy: [PROVINCE]) { complete missingSources total { count } }
}"""


@pytest.fixture(scope="module")
def client_with_a_broken_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("partial")
    healthy = SourceConfig("reg-12.71", "sql", f"sqlite+aiosqlite:///{tmp}/good.db", ("12.71",))
    complaint = make_complaint("12.71")
    world = SourceWorld(agencies=[make_agency("12.71")], complaints=[complaint])
    world.dispositions.append(
        {
            "complaint_id": complaint["id"],
            "from_agency": "12.71-DINKES",
            "to_agency": "11-DINKES",
            "at": complaint["submitted_at"],
            "reason": None,
        }
    )

    async def build() -> None:
        engine = create_source_engine(healthy)
        await write_world(engine, world)
        await engine.dispose()

    asyncio.run(build())
    # A database that cannot be opened: the source fails on every call.
    broken = SourceConfig("prov-11", "sql", f"sqlite+aiosqlite:///{tmp}/missing/dir/x.db", ("11",))
    registry = tmp / "registry.toml"
    write_registry(registry, [healthy, broken])
    settings = GatewaySettings(mode="demo", registry=registry, jwt_secret=SECRET)
    with TestClient(create_app(settings)) as client:
        yield client


def test_healthy_data_arrives_with_the_failed_source_named(
    client_with_a_broken_source: TestClient,
) -> None:
    response = client_with_a_broken_source.post(
        "/graphql",
        json={"query": QUERY},
        headers={"Authorization": f"Bearer {token_for('NATIONAL')}"},
    )
    assert response.status_code == 200
    body = response.json()
    connection = body["data"]["complaints"]
    assert connection["complete"] is False
    assert connection["missingSources"] == ["prov-11"]
    assert connection["totalCount"] == 1
    assert len(connection["edges"]) == 1
    stats = body["data"]["complaintStats"]
    assert (stats["complete"], stats["missingSources"]) == (False, ["prov-11"])
    assert stats["total"]["count"] == 1
    # The agency of another tier lives in the broken source: null, with the error at its path.
    assert connection["edges"][0]["node"]["dispositions"] == [{"toAgency": None}]
    errors = {tuple(error["path"]): error["extensions"] for error in body["errors"]}
    assert errors == {
        ("complaints",): {"code": "SOURCE_ERROR", "source": "prov-11"},
        ("complaintStats",): {"code": "SOURCE_ERROR", "source": "prov-11"},
        ("complaints", "edges", 0, "node", "dispositions", 0, "toAgency"): {
            "code": "SOURCE_ERROR",
            "source": "prov-11",
        },
    }
    text = response.text.lower()
    for internal in ("sqlite", "missing/dir", "traceback"):
        assert internal not in text


def test_a_failing_source_opens_its_circuit_and_readyz_shows_it(
    client_with_a_broken_source: TestClient,
) -> None:
    headers = {"Authorization": f"Bearer {token_for('NATIONAL')}"}
    for _ in range(5):
        client_with_a_broken_source.post("/graphql", json={"query": QUERY}, headers=headers)
    body = client_with_a_broken_source.post(
        "/graphql", json={"query": "{ sources { id state } }"}, headers=headers
    ).json()
    assert body["data"]["sources"] == [
        {"id": "reg-12.71", "state": "CLOSED"},
        {"id": "prov-11", "state": "OPEN"},
    ]
    ready = client_with_a_broken_source.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "sources": {"reg-12.71": "CLOSED", "prov-11": "OPEN"},
    }
    # While open, the source is not called: its error says so without a new attempt.
    again = client_with_a_broken_source.post("/graphql", json={"query": QUERY}, headers=headers)
    assert {e["extensions"]["code"] for e in again.json()["errors"]} == {"SOURCE_UNAVAILABLE"}
