"""Property: for random callers, filters, orderings, page sizes and cursors, every complaint
returned lies in the caller's scope, withheld fields are null, and `totalCount` is the number
of in-scope matches (computed independently from a national caller's view)."""

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gateway.regions import is_inside
from tests.conftest import GraphQL

REGIONAL = {"PROVINCIAL": ["12", "31", "11"], "REGENCY": ["12.71", "12.72", "31.71", "11.01"]}
STATUSES = ["SUBMITTED", "COMPLETED", "IN_PROGRESS", "ESCALATED"]
DATES = [None, "2023-03-01", "2023-03-02", "2023-03-04"]

callers = st.one_of(
    st.builds(dict, tier=st.sampled_from(["NATIONAL", "OMBUDSMAN", "PUBLIC"])),
    *(
        st.builds(dict, tier=st.just(tier), region=st.sampled_from(codes))
        for tier, codes in REGIONAL.items()
    ),
).flatmap(
    lambda caller: st.builds(
        lambda role: {**caller, "role": role} if caller["tier"] != "PUBLIC" else caller,
        st.sampled_from(["ANALYST", "OPERATOR", "ADMIN"]),
    )
)
filters = st.fixed_dictionaries(
    {},
    optional={
        "region": st.sampled_from(["12", "12.71", "12.72", "31", "31.71"]),
        "status": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2, unique=True),
        "tier": st.sampled_from(["NATIONAL", "PROVINCIAL", "REGENCY"]),
        "submittedFrom": st.sampled_from(DATES[1:]),
        "submittedTo": st.sampled_from(DATES[1:]),
        "overdue": st.booleans(),
        "channel": st.just(["WEB"]),
    },
)

PAGE = """
query Page($filter: ComplaintFilter, $first: Int, $after: String, $order: ComplaintOrder) {
  complaints(filter: $filter, first: $first, after: $after, orderBy: $order) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id region { code } verifiedAt isConfidential body trackingId
                   statusHistory { toStatus } reporter { name } } }
  }
}"""


def national_view(gql: GraphQL, filter_: dict[str, Any]) -> list[dict[str, Any]]:
    body = gql(PAGE, {"filter": filter_, "first": 100})
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["complaints"]["edges"]]


def in_scope(caller: dict[str, Any], node: dict[str, Any]) -> bool:
    if caller["tier"] == "PUBLIC":
        return node["verifiedAt"] is not None and node["isConfidential"] is False
    region = caller.get("region")
    if region is None:
        return True
    return node["region"] is not None and is_inside(node["region"]["code"], region)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    caller=callers,
    filter_=filters,
    first=st.integers(1, 12),
    order=st.sampled_from(["SUBMITTED_AT_DESC", "SUBMITTED_AT_ASC"]),
    pages=st.integers(1, 3),
)
def test_every_returned_complaint_is_in_scope_and_counts_match(
    gql: GraphQL,
    caller: dict[str, Any],
    filter_: dict[str, Any],
    first: int,
    order: str,
    pages: int,
) -> None:
    assume(filter_.get("submittedFrom", "") <= filter_.get("submittedTo", "9999"))
    expected = {node["id"] for node in national_view(gql, filter_) if in_scope(caller, node)}
    seen: list[str] = []
    after = None
    for _ in range(pages):
        body = gql(
            PAGE, {"filter": filter_, "first": first, "after": after, "order": order}, **caller
        )
        assert "errors" not in body, body
        connection = body["data"]["complaints"]
        assert connection["totalCount"] == len(expected)
        for edge in connection["edges"]:
            node = edge["node"]
            assert node["id"] in expected
            may_see_reporters = caller.get("role") == "OPERATOR" or caller["tier"] == "OMBUDSMAN"
            assert node["reporter"] is None or may_see_reporters
            if caller["tier"] == "PUBLIC":
                assert node["body"] is None
                assert node["trackingId"] is None
                assert node["statusHistory"] is None
                assert node["isConfidential"] is None
            seen.append(node["id"])
        if not connection["pageInfo"]["hasNextPage"]:
            assert set(seen) == expected
            break
        after = connection["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
