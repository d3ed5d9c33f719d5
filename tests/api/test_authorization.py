"""Per-tier authorization on the read path: reporter identity, masking, forbidden filters,
suppressed aggregates, and the reporter access log."""

from typing import Any

import pytest

from tests.conftest import GraphQL

MEDAN_OPERATOR = {
    "tier": "REGENCY",
    "region": "12.71",
    "role": "OPERATOR",
    "agency": "12.71-DINKES",
}
NATIONAL_ADMIN = {"tier": "NATIONAL", "role": "ADMIN"}

REPORTERS = """query Reporters($region: String) {
  complaints(first: 100, filter: {region: $region}) {
    edges { node { id isAnonymous reporter { name nik phone email } } }
  }
}"""
LOG = """query Log($complaintId: ID) {
  reporterAccessLog(first: 100, complaintId: $complaintId) {
    id subject tier region agency role complaintId sourceId requestId
  }
}"""


def reporters(gql: GraphQL, handled_in: str, **caller: Any) -> dict[str, Any]:
    body = gql(REPORTERS, {"region": handled_in}, **caller)
    assert "errors" not in body, body
    return {
        edge["node"]["id"]: edge["node"]["reporter"] for edge in body["data"]["complaints"]["edges"]
    }


def log_entries(gql: GraphQL, complaint_id: str | None = None) -> list[dict[str, Any]]:
    body = gql(LOG, {"complaintId": complaint_id}, **NATIONAL_ADMIN)
    assert "errors" not in body, body
    entries: list[dict[str, Any]] = body["data"]["reporterAccessLog"]
    return entries


def test_operator_of_the_handling_agency_reads_the_reporter_and_the_read_is_logged(
    gql: GraphQL,
) -> None:
    seen = reporters(gql, "12.71", **MEDAN_OPERATOR)
    named = {node_id: reporter for node_id, reporter in seen.items() if reporter}
    # Only the plain complaint: the anonymous one and the one with unknown flags stay null.
    assert [reporter["name"] for reporter in named.values()] == ["Budi Santoso"]
    (node_id,) = named
    (entry,) = log_entries(gql, node_id)
    assert entry["complaintId"] == node_id
    assert (entry["tier"], entry["region"], entry["agency"], entry["role"]) == (
        "REGENCY",
        "12.71",
        "12.71-DINKES",
        "OPERATOR",
    )
    assert entry["sourceId"] == "reg-12.71"
    assert entry["requestId"]


@pytest.mark.parametrize(
    "caller",
    [
        {"tier": "REGENCY", "region": "12.71", "role": "ANALYST", "agency": "12.71-DINKES"},
        {"tier": "REGENCY", "region": "12.71", "role": "ADMIN", "agency": "12.71-DINKES"},
        {"tier": "REGENCY", "region": "12.71", "role": "OPERATOR", "agency": "12.71-DISDIK"},
        {"tier": "PROVINCIAL", "region": "12", "role": "OPERATOR", "agency": "12-DINKES"},
        {"tier": "NATIONAL", "role": "ADMIN"},
        {"tier": "OMBUDSMAN", "role": "ANALYST"},
        {"tier": "PUBLIC"},
    ],
    ids=[
        "analyst",
        "admin",
        "other-agency",
        "provincial-operator",
        "national-admin",
        "ombudsman-not-escalated",
        "public",
    ],
)
def test_nobody_else_reads_a_medan_reporter_and_nothing_is_logged(
    gql: GraphQL, caller: dict[str, str]
) -> None:
    before = len(log_entries(gql))
    seen = reporters(gql, "12.71", **caller)
    assert seen  # the caller does see complaints (the public only published ones)
    assert all(reporter is None for reporter in seen.values())
    assert len(log_entries(gql)) == before


def test_ombudsman_reads_the_reporter_of_an_escalated_complaint_only(gql: GraphQL) -> None:
    seen = reporters(gql, "12.72", tier="OMBUDSMAN", role="ANALYST")
    assert sorted(r["name"] for r in seen.values() if r) == ["Dewi Lestari"]
    assert sum(r is None for r in seen.values()) == 6


def test_aliases_and_fragments_reach_the_reporter_only_where_allowed(gql: GraphQL) -> None:
    query = """
    fragment Who on Complaint { reporter { name } again: reporter { nik phone } }
    query {
      a: complaints(first: 100, filter: {region: "12.71"}) { edges { node { ...Who } } }
      b: complaints(first: 100, filter: {region: "12.71"}) {
        edges { node { ... on Complaint { r1: reporter { email } r2: reporter { name } } } }
      }
    }"""
    for caller in ({"tier": "PUBLIC"}, {"tier": "REGENCY", "region": "12.71", "role": "ANALYST"}):
        body = gql(query, **caller)
        text = str(body)
        for secret in ("Budi", "Siti", "Rahmat", "1271000", "+62812", "pelapor"):
            assert secret not in text
    body = gql(query, **MEDAN_OPERATOR)
    names = [e["node"]["reporter"] for e in body["data"]["a"]["edges"] if e["node"]["reporter"]]
    assert names == [{"name": "Budi Santoso"}]


PUBLIC_FIELDS = """{ complaints(first: 100) { edges { node {
  id title status channel submittedAt verifiedAt category { code } handlingAgency { code }
  region { code } trackingId type body incidentDate incidentRegion { code } isAnonymous
  isConfidential statusHistory { toStatus } dispositions { at } followUps { at }
  reporter { name }
} } } }"""


def test_public_sees_published_complaints_with_few_fields(gql: GraphQL) -> None:
    body = gql(PUBLIC_FIELDS, tier="PUBLIC")
    assert "errors" not in body, body
    nodes = [edge["node"] for edge in body["data"]["complaints"]["edges"]]
    assert len(nodes) == 49  # 52 complaints minus one unverified and two not known public
    for node in nodes:
        assert node["title"]
        assert node["status"]
        assert node["category"]
        assert node["handlingAgency"]
        for withheld in (
            "trackingId",
            "type",
            "body",
            "incidentDate",
            "incidentRegion",
            "isAnonymous",
            "isConfidential",
            "statusHistory",
            "dispositions",
            "followUps",
            "reporter",
        ):
            assert node[withheld] is None, withheld


def test_a_regency_caller_reads_bodies_in_its_scope(gql: GraphQL) -> None:
    body = gql(
        "{ complaints(first: 100) { edges { node { body isConfidential } } } }",
        tier="REGENCY",
        region="12.71",
        role="ANALYST",
    )
    nodes = [edge["node"] for edge in body["data"]["complaints"]["edges"]]
    assert all(node["body"] for node in nodes)
    assert sum(node["isConfidential"] for node in nodes) == 2


@pytest.mark.parametrize(
    ("caller", "query"),
    [
        ({"tier": "PUBLIC"}, '{ complaints(filter: {text: "nomor"}) { totalCount } }'),
        ({"tier": "PUBLIC"}, "{ complaints(filter: {type: [COMPLAINT]}) { totalCount } }"),
        ({"tier": "PUBLIC"}, '{ complaints(filter: {incidentRegion: "12"}) { totalCount } }'),
        ({"tier": "PUBLIC"}, "{ complaintStats(groupBy: [TYPE]) { total { count } } }"),
        (
            {"tier": "PUBLIC"},
            '{ complaintStats(filter: {text: "x"}, groupBy: []) { total { count } } }',
        ),
        (
            {"tier": "REGENCY", "region": "12.71"},
            '{ complaintStats(filter: {region: "12", text: "nomor"}, groupBy: []) '
            "{ total { count } } }",
        ),
        (
            {"tier": "PROVINCIAL", "region": "12"},
            '{ complaintStats(filter: {text: "nomor"}, groupBy: [REGENCY]) { total { count } } }',
        ),
        (
            {"tier": "REGENCY", "region": "12.71", "role": "OPERATOR"},
            "{ reporterAccessLog { id } }",
        ),
        ({"tier": "NATIONAL", "role": "ANALYST"}, "{ reporterAccessLog { id } }"),
    ],
    ids=[
        "public-text",
        "public-type",
        "public-incident-region",
        "public-group-type",
        "public-stats-text",
        "regency-stats-text-over-province",
        "provincial-stats-text-everywhere",
        "regency-operator-log",
        "national-analyst-log",
    ],
)
def test_reading_through_a_forbidden_field_is_refused(
    gql: GraphQL, caller: dict[str, str], query: str
) -> None:
    body = gql(query, **caller)
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]


def test_content_filters_are_allowed_inside_ones_own_region(gql: GraphQL) -> None:
    query = """{ complaintStats(filter: {region: "12.71", text: "nomor"}, groupBy: []) {
        total { count } } }"""
    body = gql(query, tier="REGENCY", region="12.71")
    assert body["data"]["complaintStats"]["total"]["count"] == 33


STATS = """query Stats($filter: ComplaintFilter, $groupBy: [StatsDimension!]!) {
  complaintStats(filter: $filter, groupBy: $groupBy) {
    buckets { key { regency province } count }
    total { count }
    exact
  }
}"""


def test_a_regency_caller_counts_its_own_and_others_published_complaints_exactly(
    gql: GraphQL,
) -> None:
    body = gql(
        STATS, {"filter": {"region": "12"}, "groupBy": ["REGENCY"]}, tier="REGENCY", region="12.71"
    )
    stats = body["data"]["complaintStats"]
    counts = {b["key"]["regency"]: b["count"] for b in stats["buckets"]}
    # 12.71 is its own (33, three of them unpublished); the province's 4 and 12.72's 7 are
    # all published, so nothing is protected and small groups are shown as they are.
    assert counts == {"12.71": 33, None: 4, "12.72": 7}
    assert stats["total"]["count"] == 44
    assert stats["exact"] is False  # others' protected complaints could be in it


def test_others_unpublished_complaints_below_the_threshold_count_as_none(gql: GraphQL) -> None:
    body = gql(
        STATS, {"filter": {"region": "12.71"}, "groupBy": []}, tier="REGENCY", region="12.72"
    )
    # Medan's 33 include 3 unpublished (submitted, confidential, unknown flags): 3 < 5.
    assert body["data"]["complaintStats"]["total"]["count"] == 30


def test_national_caller_sees_every_cell(gql: GraphQL) -> None:
    body = gql(STATS, {"filter": {"region": "12"}, "groupBy": ["REGENCY"]}, tier="NATIONAL")
    counts = {b["key"]["regency"]: b["count"] for b in body["data"]["complaintStats"]["buckets"]}
    assert counts == {None: 4, "12.71": 33, "12.72": 7}
    assert body["data"]["complaintStats"]["exact"] is True


def test_public_aggregates_count_published_complaints_exactly(gql: GraphQL) -> None:
    body = gql(STATS, {"groupBy": ["PROVINCE"]}, tier="PUBLIC")
    stats = body["data"]["complaintStats"]
    counts = {b["key"]["province"]: b["count"] for b in stats["buckets"]}
    assert counts == {"12": 4 + 30 + 7, None: 3, "31": 5}  # published only
    assert stats["total"]["count"] == 49
    assert stats["exact"] is True


def test_a_cursor_from_another_caller_does_not_widen_the_scope(gql: GraphQL) -> None:
    page = (
        "query P($after: String) { complaints(first: 5, after: $after) { "
        "pageInfo { endCursor } edges { node { region { code } } } } }"
    )
    cursor = gql(page, tier="NATIONAL")["data"]["complaints"]["pageInfo"]["endCursor"]
    body = gql(page, {"after": cursor}, tier="REGENCY", region="12.72")
    regions = {e["node"]["region"]["code"] for e in body["data"]["complaints"]["edges"]}
    assert regions <= {"12.72"}
