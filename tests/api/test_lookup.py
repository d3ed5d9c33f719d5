"""`complaint(id)` and `node(id)`: out of scope answers exactly like missing."""

import base64

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
    return base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("=")


def test_complaint_by_id_in_scope(gql: GraphQL) -> None:
    node_id = first_id(gql, "12.71")
    body = gql(ONE, {"id": node_id}, tier="REGENCY", region="12.71")
    assert body["data"]["complaint"]["id"] == node_id
    assert body["data"]["complaint"]["region"]["code"] == "12.71"
    assert gql(NODE, {"id": node_id}, tier="REGENCY", region="12.71")["data"]["node"]["id"] == (
        node_id
    )


def test_out_of_scope_id_answers_like_a_missing_one(gql: GraphQL) -> None:
    other = first_id(gql, "12.72")
    missing = forge("Complaint", "12.72-9999999")
    for node_id in (other, missing):
        for query, field in ((ONE, "complaint"), (NODE, "node")):
            body = gql(query, {"id": node_id}, tier="REGENCY", region="12.71")
            assert body == {"data": {field: None}}


def test_id_forged_with_another_type_or_region_is_null(gql: GraphQL) -> None:
    local = base64.urlsafe_b64decode(first_id(gql, "12.72") + "==").decode().split(":", 1)[1]
    assert gql(ONE, {"id": forge("Agency", local)}) == {"data": {"complaint": None}}
    relabelled = forge("Complaint", local.replace("12.72", "12.71", 1))
    assert gql(ONE, {"id": relabelled}, tier="REGENCY", region="12.71") == {
        "data": {"complaint": None}
    }


def test_malformed_id_is_a_client_error(gql: GraphQL) -> None:
    body = gql(ONE, {"id": "%%%"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_public_cannot_fetch_a_confidential_complaint_by_id(gql: GraphQL) -> None:
    query = """{ complaints(first: 100, filter: {region: "12.71"}) {
        edges { node { id isConfidential } } } }"""
    edges = gql(query)["data"]["complaints"]["edges"]
    hidden = [edge["node"]["id"] for edge in edges if edge["node"]["isConfidential"]]
    assert len(hidden) == 2
    for node_id in hidden:
        assert gql(ONE, {"id": node_id}, tier="PUBLIC") == {"data": {"complaint": None}}
