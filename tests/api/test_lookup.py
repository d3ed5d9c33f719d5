"""`complaint(id)` and `node(id)`: out of scope answers exactly like missing; an id the
gateway's key did not seal answers exactly like a malformed one."""

import base64
import secrets

import pytest

from gateway.federation.ids import NodeIdCodec
from tests.conftest import GraphQL

FIRST = """query First($region: String) {
  complaints(first: 1, filter: {region: $region}) { edges { node { id } } }
}"""
ONE = "query One($id: ID!) { complaint(id: $id) { id title region { code } } }"
NODE = "query Node($id: ID!) { node(id: $id) { id ... on Complaint { title } } }"


def first_id(gql: GraphQL, region: str) -> str:
    node_id: str = gql(FIRST, {"region": region})["data"]["complaints"]["edges"][0]["node"]["id"]
    return node_id


def forge(type_name: str, local_id: str) -> str:
    """An id of the old, readable format: what anyone could write without the key."""
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def flip(node_id: str, position: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    position %= len(node_id)
    swapped = alphabet[alphabet.index(node_id[position]) ^ 1]
    return node_id[:position] + swapped + node_id[position + 1 :]


def test_complaint_by_id_in_scope(gql: GraphQL) -> None:
    node_id = first_id(gql, "12.71")
    body = gql(ONE, {"id": node_id}, tier="REGENCY", region="12.71")
    assert body["data"]["complaint"]["id"] == node_id
    assert body["data"]["complaint"]["region"]["code"] == "12.71"
    assert gql(NODE, {"id": node_id}, tier="REGENCY", region="12.71")["data"]["node"]["id"] == (
        node_id
    )


def test_out_of_scope_id_answers_like_a_missing_one(gql: GraphQL, node_ids: NodeIdCodec) -> None:
    other = first_id(gql, "12.72")
    missing = node_ids.encode("Complaint", "12.72-9999999")
    for node_id in (other, missing):
        for query, field in ((ONE, "complaint"), (NODE, "node")):
            body = gql(query, {"id": node_id}, tier="REGENCY", region="12.71")
            assert body == {"data": {field: None}}


def test_an_id_of_another_type_or_region_is_null(gql: GraphQL, node_ids: NodeIdCodec) -> None:
    type_name, local = node_ids.decode(first_id(gql, "12.72"))
    assert type_name == "Complaint"
    assert gql(ONE, {"id": node_ids.encode("Agency", local)}) == {"data": {"complaint": None}}
    assert gql(NODE, {"id": node_ids.encode("Agency", local)}) == {"data": {"node": None}}
    relabelled = node_ids.encode("Complaint", local.replace("12.72", "12.71", 1))
    assert gql(ONE, {"id": relabelled}, tier="REGENCY", region="12.71") == {
        "data": {"complaint": None}
    }


def invalid_id_answer(gql: GraphQL, query: str, node_id: str) -> dict[str, object]:
    body = gql(query, {"id": node_id}, tier="PUBLIC")
    field = "complaint" if query is ONE else "node"
    assert body["data"] == {field: None}
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    return {"message": error["message"], "path": error["path"]}


@pytest.mark.parametrize("query", [ONE, NODE], ids=["complaint", "node"])
def test_an_id_not_sealed_with_the_key_is_refused_like_a_malformed_one(
    gql: GraphQL, query: str
) -> None:
    real = first_id(gql, "12.71")
    refused = {
        "readable, as ids were": forge("Complaint", "12.71-0000001"),
        "sealed with another key": NodeIdCodec(secrets.token_bytes(64)).encode(
            "Complaint", "12.71-0000001"
        ),
        "truncated": real[:-4],
        "one more character": real + "A",
        "first character flipped": flip(real, 0),
        "middle character flipped": flip(real, len(real) // 2),
        "last character flipped": flip(real, -1),
        "two ids spliced": real[:32] + first_id(gql, "12.72")[32:],
    }
    malformed = invalid_id_answer(gql, query, "%%%")
    for name, node_id in refused.items():
        assert node_id != real, name
        assert invalid_id_answer(gql, query, node_id) == malformed, name


def test_malformed_id_is_a_client_error(gql: GraphQL) -> None:
    body = gql(ONE, {"id": "%%%"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


PUBLIC_IDS = """{ complaints(first: 100, filter: {region: "12.71"}) { edges { node { id } } } }"""


def test_public_cannot_read_the_serial_out_of_a_complaint_id(
    gql: GraphQL, node_ids: NodeIdCodec
) -> None:
    edges = gql(PUBLIC_IDS, tier="PUBLIC")["data"]["complaints"]["edges"]
    assert len(edges) >= 2
    for edge in edges:
        node_id = edge["node"]["id"]
        _, local_id = node_ids.decode(node_id)  # the key holder can read it: "12.71-0000042"
        serial = local_id.split("-", 1)[1].encode()
        decoded = base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4))
        assert serial not in decoded
        assert b"Complaint" not in decoded
        assert b"12.71-" not in decoded
        assert local_id not in node_id


def test_public_cannot_fetch_a_confidential_complaint_by_id(gql: GraphQL) -> None:
    query = """{ complaints(first: 100, filter: {region: "12.71"}) {
        edges { node { id isConfidential } } } }"""
    edges = gql(query)["data"]["complaints"]["edges"]
    hidden = [edge["node"]["id"] for edge in edges if edge["node"]["isConfidential"]]
    assert len(hidden) == 2
    for node_id in hidden:
        assert gql(ONE, {"id": node_id}, tier="PUBLIC") == {"data": {"complaint": None}}
