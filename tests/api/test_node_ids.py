"""Global ids and cursors across gateways: every gateway holding the key gives a complaint the
same id (a restart, another replica) and resumes another's cursor, and a gateway with another key
neither makes nor accepts either."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.federation.ids import write_node_id_key
from gateway.settings import GatewaySettings
from tests.conftest import SECRET

IDS = """{ complaints(first: 100, filter: {region: "12.71"}) { edges { node { id title } } } }"""
ONE = "query One($id: ID!) { complaint(id: $id) { id title } }"
PAGE = """query Page($after: String) {
  complaints(first: 5, after: $after) { pageInfo { endCursor } edges { cursor node { title } } }
}"""


def gateway(registry: Path, key_file: Path) -> TestClient:
    settings = GatewaySettings(
        mode="demo", registry=registry, jwt_secret=SECRET, node_id_key_file=key_file
    )
    return TestClient(create_app(settings))


def titles_by_id(client: TestClient) -> dict[str, str]:
    body = client.post("/graphql", json={"query": IDS}).json()
    return {
        edge["node"]["id"]: edge["node"]["title"] for edge in body["data"]["complaints"]["edges"]
    }


def lookup(client: TestClient, node_id: str) -> dict[str, object]:
    body: dict[str, object] = client.post(
        "/graphql", json={"query": ONE, "variables": {"id": node_id}}
    ).json()
    return body


def keys(directory: Path) -> Iterator[Path]:
    for name in ("shared", "other"):
        path = directory / f"{name}-node-id-key"
        write_node_id_key(path)
        yield path


def test_gateways_sharing_a_key_agree_on_ids_and_others_do_not(
    registry_file: Path, tmp_path: Path
) -> None:
    shared, other = keys(tmp_path)
    with gateway(registry_file, shared) as first:
        seen = titles_by_id(first)
    with gateway(registry_file, shared) as restarted, gateway(registry_file, other) as foreign:
        assert len(seen) > 2
        assert titles_by_id(restarted) == seen
        foreign_ids = titles_by_id(foreign)
        assert sorted(foreign_ids.values()) == sorted(seen.values())  # same complaints...
        assert not foreign_ids.keys() & seen.keys()  # ...under other ids
        for node_id, title in seen.items():
            assert lookup(restarted, node_id) == {
                "data": {"complaint": {"id": node_id, "title": title}}
            }
            refused = lookup(foreign, node_id)
            assert refused["data"] == {"complaint": None}
            assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}  # type: ignore[index]


def page(client: TestClient, after: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": PAGE, "variables": {"after": after}}
    ).json()
    return body


def test_gateways_sharing_a_key_resume_each_others_cursors_and_others_refuse_them(
    registry_file: Path, tmp_path: Path
) -> None:
    shared, other = keys(tmp_path)
    with gateway(registry_file, shared) as first:
        cursor = page(first)["data"]["complaints"]["pageInfo"]["endCursor"]
        expected = page(first, cursor)["data"]["complaints"]
    with gateway(registry_file, shared) as replica, gateway(registry_file, other) as foreign:
        assert page(replica)["data"]["complaints"]["pageInfo"]["endCursor"] == cursor
        assert page(replica, cursor)["data"]["complaints"] == expected
        assert len(expected["edges"]) == 5
        refused = page(foreign, cursor)
        assert refused["data"] is None
        assert refused["errors"][0]["message"] == "`after` is not a cursor from this API"
        assert refused["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
