"""The complaint read path over five hand-made sources, on SQLite and PostgreSQL."""

import base64
from typing import Any

import pytest

from gateway.federation.ids import NodeIdCodec
from tests.conftest import GraphQL, StatementCounter

PAGE = """
query Page($first: Int, $after: String, $filter: ComplaintFilter, $order: ComplaintOrder) {
  complaints(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount complete missingSources
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id submittedAt region { code } isConfidential status } }
  }
}
"""


def page_through(gql: GraphQL, first: int, **as_caller: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    order = as_caller.pop("order", "SUBMITTED_AT_DESC")
    while True:
        body = gql(PAGE, {"first": first, "after": after, "order": order}, **as_caller)
        connection = body["data"]["complaints"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


@pytest.mark.parametrize("order", ["SUBMITTED_AT_DESC", "SUBMITTED_AT_ASC"])
def test_paging_across_sources_yields_every_complaint_once_in_order(
    gql: GraphQL, node_ids: NodeIdCodec, order: str
) -> None:
    nodes = page_through(gql, 7, order=order)
    total = gql(PAGE, {"first": 1})["data"]["complaints"]["totalCount"]
    ids = [node["id"] for node in nodes]
    assert len(ids) == len(set(ids)) == total == 52
    # Ties on submittedAt break on the local id, which only the key holder can read.
    keys = [(node["submittedAt"], node_ids.decode(node["id"])[1]) for node in nodes]
    assert keys == sorted(keys, reverse=order == "SUBMITTED_AT_DESC")


def test_regency_caller_sees_only_its_regency(gql: GraphQL) -> None:
    nodes = page_through(gql, 10, tier="REGENCY", region="12.71")
    assert {node["region"]["code"] for node in nodes} == {"12.71"}
    assert len(nodes) == 33


def test_provincial_caller_sees_its_province_and_regencies_but_not_national(
    gql: GraphQL,
) -> None:
    nodes = page_through(gql, 100, tier="PROVINCIAL", region="12")
    assert {node["region"]["code"] for node in nodes} == {"12", "12.71", "12.72"}
    assert len(nodes) == 4 + 33 + 7


def test_public_sees_only_verified_non_confidential(gql: GraphQL) -> None:
    nodes = page_through(gql, 100, tier="PUBLIC")
    assert nodes
    assert not any(node["isConfidential"] for node in nodes)
    assert not any(node["status"] == "SUBMITTED" for node in nodes)
    # 52 rows minus the unverified one, the confidential one and the unknown-flag one.
    assert len(nodes) == 49


def test_region_filter_outside_scope_returns_nothing_and_contacts_no_source(
    gql: GraphQL, statements: StatementCounter
) -> None:
    statements.reset()
    body = gql(PAGE, {"filter": {"region": "31"}}, tier="REGENCY", region="12.71")
    assert body["data"]["complaints"]["edges"] == []
    assert body["data"]["complaints"]["totalCount"] == 0
    assert statements.total == 0


def test_regency_page_contacts_only_its_own_source(
    gql: GraphQL, statements: StatementCounter
) -> None:
    statements.reset()
    gql(PAGE, {"first": 5}, tier="REGENCY", region="12.71")
    assert set(statements.counts) == {"reg-12.71"}


def test_national_page_contacts_every_source(gql: GraphQL, statements: StatementCounter) -> None:
    statements.reset()
    gql(PAGE, {"first": 5})
    assert set(statements.counts) == {"national", "prov-12", "reg-12.71", "reg-12.72", "prov-31"}


NESTED = """
query Nested($first: Int) {
  complaints(first: $first, filter: {region: "12.71"}) {
    edges { node { id title handlingAgency { name } category { name }
      statusHistory { toStatus actorAgency { code } }
      dispositions { fromAgency { code } toAgency { code } } } }
  }
}
"""


def test_statement_count_does_not_grow_with_page_size(
    gql: GraphQL, statements: StatementCounter
) -> None:
    counts = []
    for first in (3, 30):
        statements.reset()
        body = gql(NESTED, {"first": first}, tier="REGENCY", region="12.71")
        assert len(body["data"]["complaints"]["edges"]) == first
        counts.append(statements.total)
    assert counts[0] == counts[1]


def test_journey_resolves_agencies_of_other_tiers_from_their_own_sources(gql: GraphQL) -> None:
    query = """{ complaints(first: 100, filter: {region: "12.71"}, orderBy: SUBMITTED_AT_ASC) {
        edges { node { dispositions { fromAgency { code tier } toAgency { code tier }
        reason } } } } }"""
    edges = gql(query)["data"]["complaints"]["edges"]
    journeys = [edge["node"]["dispositions"] for edge in edges if edge["node"]["dispositions"]]
    assert journeys == [
        [
            {
                "fromAgency": {"code": "KL-KEMENKES", "tier": "NATIONAL"},
                "toAgency": {"code": "12-DINKES", "tier": "PROVINCIAL"},
                "reason": "kewenangan provinsi",
            },
            {
                "fromAgency": {"code": "12-DINKES", "tier": "PROVINCIAL"},
                "toAgency": {"code": "12.71-DINKES", "tier": "REGENCY"},
                "reason": "kewenangan kota",
            },
        ]
    ]


def test_filters_narrow_results(gql: GraphQL) -> None:
    def count(filter_: dict[str, Any]) -> int:
        body = gql(PAGE, {"filter": filter_, "first": 0})
        assert "errors" not in body, body
        total: int = body["data"]["complaints"]["totalCount"]
        return total

    assert count({"status": ["IN_PROGRESS"]}) == 6
    assert count({"status": ["ESCALATED"]}) == 1
    assert count({"tier": "NATIONAL"}) == 3
    assert count({"tier": "PROVINCIAL"}) == 4
    assert count({"agency": "12.72-DINKES"}) == 7
    assert count({"incidentRegion": "12"}) == 3 + 4 + 33 + 7
    assert count({"text": "nomor"}) == 52
    assert count({"text": "%"}) == 0
    assert count({"text": "'; DROP TABLE complaint; --"}) == 0
    assert count({"submittedFrom": "2030-01-01"}) == 0
    assert count({"overdue": True}) == 1 + 7


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("first: 101", "BAD_USER_INPUT"),
        ("first: -1", "BAD_USER_INPUT"),
        ('after: "not-a-cursor"', "BAD_USER_INPUT"),
        ('filter: {region: "99"}', "BAD_USER_INPUT"),
        ('filter: {region: "1"}', "BAD_USER_INPUT"),
        ('filter: {submittedFrom: "2024-01-02", submittedTo: "2024-01-01"}', "BAD_USER_INPUT"),
        ('filter: {submittedTo: "9999-12-31"}', "BAD_USER_INPUT"),
        ('filter: {submittedFrom: "0001-01-01"}', "BAD_USER_INPUT"),
        ("first: 5, nonsense: 1", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_bad_arguments_get_a_coded_error_and_no_data(
    gql: GraphQL, arguments: str, code: str
) -> None:
    body = gql(f"{{ complaints({arguments}) {{ totalCount }} }}")
    assert body.get("data") is None
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]
    assert "Traceback" not in str(body)


def test_cursor_of_another_ordering_is_refused(gql: GraphQL) -> None:
    cursor = gql(PAGE, {"first": 1})["data"]["complaints"]["pageInfo"]["endCursor"]
    body = gql(PAGE, {"first": 1, "after": cursor, "order": "SUBMITTED_AT_ASC"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_public_cannot_read_a_local_id_or_serial_out_of_a_cursor(
    gql: GraphQL, node_ids: NodeIdCodec
) -> None:
    # A serial counts a region's complaints, published or not: two visible cursors would
    # tell the public how many unpublished complaints lie between them.
    connection = gql(PAGE, {"first": 100}, tier="PUBLIC")["data"]["complaints"]
    edges = connection["edges"]
    assert len(edges) == 49
    assert connection["pageInfo"]["endCursor"] == edges[-1]["cursor"]
    for edge in edges:
        cursor = edge["cursor"]
        _, local_id = node_ids.decode(edge["node"]["id"])  # the key holder can: "12.71-0000042"
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        assert local_id.encode() not in decoded
        assert local_id.split("-", 1)[1].encode() not in decoded
        assert b"SUBMITTED_AT" not in decoded
        assert local_id not in cursor


def test_a_handmade_cursor_or_a_node_id_is_refused_like_an_invalid_cursor(
    gql: GraphQL, node_ids: NodeIdCodec
) -> None:
    edge = gql(PAGE, {"first": 1}, tier="PUBLIC")["data"]["complaints"]["edges"][0]
    _, local_id = node_ids.decode(edge["node"]["id"])
    readable = f'[1,"SUBMITTED_AT_DESC","{edge["node"]["submittedAt"]}","{local_id}"]'
    invalid = gql(PAGE, {"after": "not-a-cursor"}, tier="PUBLIC")
    assert invalid["data"] is None
    assert invalid["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    for cursor in (
        base64.urlsafe_b64encode(readable.encode()).decode().rstrip("="),  # the old format
        edge["node"]["id"],
        edge["cursor"][:-4],
    ):
        assert gql(PAGE, {"after": cursor}, tier="PUBLIC") == invalid
