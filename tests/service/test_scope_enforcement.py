"""The service applies the token's scope, and only it: no argument widens it, no method leaks
another region's rows, and the stats split comes from the token too."""

from typing import Any

import pytest

from gateway.policy import NOTHING, RowScope
from tests.factories import SourceWorld
from tests.service.conftest import Call, Mint

NOW = "2023-06-01T12:00:00"
MEDAN = RowScope("12.71")
PAGE = """
query ($criteria: Criteria!) {
  page(criteria: $criteria, order: SUBMITTED_AT_ASC, limit: 1000, columns: ["regionCode"]) {
    id regionCode
  }
}
"""
COUNT = "query ($criteria: Criteria!) { count(criteria: $criteria) }"
STATS = """
query ($criteria: Criteria!) {
  stats(criteria: $criteria, dimensions: [REGENCY]) { regency count part }
}
"""
BY_IDS = """
query ($ids: [String!]!) {
  complaints(ids: $ids, columns: ["regionCode", "title"]) { id regionCode }
  statusEvents(complaintIds: $ids) { complaintId }
  dispositions(complaintIds: $ids) { complaintId }
  followUps(complaintIds: $ids) { complaintId }
  reporters(complaintIds: $ids) { complaintId name }
}
"""


def data(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


def ids_in(world: SourceWorld, regency: str | None) -> list[str]:
    return [row["id"] for row in world.complaints if row["regency_code"] == regency]


def test_a_regional_token_pages_only_its_region(call: Call, mint: Mint) -> None:
    rows = data(call(PAGE, {"criteria": {"now": NOW}}, mint(MEDAN)))["page"]
    assert rows
    assert {row["regionCode"] for row in rows} == {"12.71"}
    assert data(call(COUNT, {"criteria": {"now": NOW}}, mint(MEDAN)))["count"] == len(rows)


@pytest.mark.parametrize("region", ["12.72", "12", None])
def test_a_filter_on_another_region_cannot_widen_the_token(
    call: Call, mint: Mint, region: str | None
) -> None:
    criteria = {"now": NOW, "region": region}
    rows = data(call(PAGE, {"criteria": criteria}, mint(MEDAN)))["page"]
    assert {row["regionCode"] for row in rows} <= {"12.71"}
    if region == "12.72":
        assert rows == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (PAGE, {"criteria": {"now": NOW, "scope": {"region": None}}}),
        (PAGE, {"criteria": {"now": NOW, "publishedOnly": False}}),
        ('{ count(criteria: {now: "' + NOW + '"}, scope: null) }', {}),
        ('{ count(criteria: {now: "' + NOW + '", region: null, split: null}) }', {}),
    ],
)
def test_scope_arguments_do_not_exist(
    call: Call, mint: Mint, query: str, variables: dict[str, Any]
) -> None:
    response = call(query, variables, mint(MEDAN))
    body = response.json()
    assert body.get("data") is None
    assert body["errors"]


def test_a_regional_token_reads_nothing_of_another_region_through_any_method(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    other = ids_in(service_world, "12.72") + ids_in(service_world, None)
    answer = data(call(BY_IDS, {"ids": other}, mint(MEDAN)))
    assert answer == {
        "complaints": [],
        "statusEvents": [],
        "dispositions": [],
        "followUps": [],
        "reporters": [],
    }


def test_the_same_ids_are_answered_for_a_token_that_covers_them(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    """The control of the test above: the rows exist, only the scope hid them."""
    other = ids_in(service_world, "12.72")
    answer = data(call(BY_IDS, {"ids": other}, mint(RowScope("12"))))
    assert {row["id"] for row in answer["complaints"]} == set(other)
    assert answer["statusEvents"]
    assert answer["dispositions"]
    assert answer["followUps"]
    assert answer["reporters"]


def test_a_published_only_token_never_reads_unverified_or_confidential_rows(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    hidden = [
        row["id"]
        for row in service_world.complaints
        if row["verified_at"] is None or row["is_confidential"] is not False
    ]
    assert hidden
    public = mint(RowScope(None, published_only=True))
    answer = data(call(BY_IDS, {"ids": hidden}, public))
    assert all(rows == [] for rows in answer.values())
    page = data(call(PAGE, {"criteria": {"now": NOW}}, public))["page"]
    assert not {row["id"] for row in page} & set(hidden)


def test_an_empty_region_reads_nothing(call: Call, mint: Mint, service_world: SourceWorld) -> None:
    token = mint(NOTHING)
    assert data(call(PAGE, {"criteria": {"now": NOW}}, token))["page"] == []
    ids = [row["id"] for row in service_world.complaints]
    assert all(rows == [] for rows in data(call(BY_IDS, {"ids": ids}, token)).values())


def test_stats_count_only_the_token_scope_and_split_by_the_token_split(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    regional = data(call(STATS, {"criteria": {"now": NOW}}, mint(MEDAN, op="stats")))["stats"]
    assert {row["regency"] for row in regional} == {"12.71"}
    assert sum(row["count"] for row in regional) == len(ids_in(service_world, "12.71"))
    # No split in the token: nothing is the caller's own.
    assert {row["part"] for row in regional} <= {"LISTABLE", "PROTECTED"}

    everything = mint(RowScope(None), split_rows=MEDAN, op="stats")
    rows = data(call(STATS, {"criteria": {"now": NOW}}, everything))["stats"]
    own = {row["regency"] for row in rows if row["part"] == "OWN"}
    assert own == {"12.71"}
    assert sum(row["count"] for row in rows) == len(service_world.complaints)


def test_agencies_and_categories_are_reference_data_for_any_token(call: Call, mint: Mint) -> None:
    query = (
        '{ agencies(codes: ["12.72-DINKES"]) { code } categories(codes: ["KESEHATAN"]) { code } }'
    )
    answer = data(call(query, {}, mint(NOTHING)))
    assert answer == {"agencies": [{"code": "12.72-DINKES"}], "categories": [{"code": "KESEHATAN"}]}


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (PAGE.replace("limit: 1000", "limit: 100000"), {"criteria": {"now": NOW}}, "`limit`"),
        (PAGE.replace('["regionCode"]', '["nik"]'), {"criteria": {"now": NOW}}, "unknown column"),
        (COUNT, {"criteria": {"now": NOW, "tier": "GALAXY"}}, "unknown tier"),
        (BY_IDS, {"ids": [str(i) for i in range(5001)]}, "more than 5000"),
    ],
)
def test_bad_arguments_are_coded_errors(
    call: Call, mint: Mint, query: str, variables: dict[str, Any], message: str
) -> None:
    body = call(query, variables, mint()).json()
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_stats_token_reads_no_rows(call: Call, mint: Mint) -> None:
    """A stats token covers every region's counts; replayed for rows it reads nothing."""
    stats_token = mint(RowScope(None), op="stats")
    counted = data(call(STATS, {"criteria": {"now": NOW}}, stats_token))["stats"]
    assert counted
    for query, variables in (
        (PAGE, {"criteria": {"now": NOW}}),
        (COUNT, {"criteria": {"now": NOW}}),
        (BY_IDS, {"ids": ids_in_any(call, mint)}),
    ):
        body = call(query, variables, stats_token).json()
        assert body["data"] is None
        assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


def test_an_unknown_operation_is_refused(call: Call, mint: Mint) -> None:
    assert call(COUNT, {"criteria": {"now": NOW}}, mint(MEDAN, op="everything")).status_code == 401


def ids_in_any(call: Call, mint: Mint) -> list[str]:
    rows = data(call(PAGE, {"criteria": {"now": NOW}}, mint(RowScope(None))))["page"]
    return [row["id"] for row in rows]


APPLY = """
mutation ($change: ChangeInput!) { applyChange(change: $change) { result version status } }
"""


def change_of(complaint_id: str) -> dict[str, Any]:
    return {
        "complaintId": complaint_id,
        "expectedVersion": 1,
        "at": NOW,
        "actorAgency": None,
        "note": None,
        "values": [{"column": "status", "value": "ON_HOLD"}],
    }


def test_only_a_write_token_writes_and_only_inside_its_scope(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    medan = ids_in(service_world, "12.71")[0]
    other = ids_in(service_world, "12.72")[0]
    for token in (mint(MEDAN), mint(MEDAN, op="stats")):
        body = call(APPLY, {"change": change_of(medan)}, token).json()
        assert body["data"] is None
        assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    outside = data(call(APPLY, {"change": change_of(other)}, mint(MEDAN, op="write")))
    assert outside == {"applyChange": {"result": "NOT_FOUND", "version": None, "status": None}}
    public = data(call(APPLY, {"change": change_of(medan)}, mint(RowScope(None, True), op="write")))
    assert public["applyChange"]["result"] == "NOT_FOUND"
    unchanged = data(call(BY_IDS, {"ids": [medan, other]}, mint(RowScope(None))))
    assert {row["id"] for row in unchanged["complaints"]} == {medan, other}
    status = data(
        call(
            'query ($ids: [String!]!) { complaints(ids: $ids, columns: ["status"]) { status } }',
            {"ids": [medan, other]},
            mint(RowScope(None)),
        )
    )["complaints"]
    assert "ON_HOLD" not in {row["status"] for row in status}


def test_a_write_token_reads_no_rows(call: Call, mint: Mint) -> None:
    body = call(PAGE, {"criteria": {"now": NOW}}, mint(RowScope(None), op="write")).json()
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


def test_a_change_of_a_column_it_may_not_set_is_a_coded_error(
    call: Call, mint: Mint, service_world: SourceWorld
) -> None:
    change = change_of(ids_in(service_world, "12.71")[0])
    change["values"] = [{"column": "body", "value": "rewritten"}]
    body = call(APPLY, {"change": change}, mint(MEDAN, op="write")).json()
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


def test_only_a_stats_token_counts_groups(call: Call, mint: Mint) -> None:
    """Counts carry record-key sums: a rows or write token filtering down to one complaint
    would read its secret key from them."""
    for op in ("rows", "write"):
        body = call(STATS, {"criteria": {"now": NOW}}, mint(MEDAN, op=op)).json()
        assert body["data"] is None
        assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


def test_values_graphql_cannot_coerce_are_coded_errors(call: Call, mint: Mint) -> None:
    """An Int past 32 bits, a time whose UTC is before year 1: the caller's mistakes."""
    change = change_of("12.71-0000001")
    change["expectedVersion"] = 2**31
    body = call(APPLY, {"change": change}, mint(MEDAN, op="write")).json()
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    early = call(COUNT, {"criteria": {"now": "0001-01-01T00:00:00+05:00"}}, mint(MEDAN)).json()
    assert [error["extensions"]["code"] for error in early["errors"]] == ["BAD_USER_INPUT"]
