"""`complaintStats`: grouped in each source, summed at the gateway."""

from tests.conftest import GraphQL, StatementCounter

STATS = """query Stats($filter: ComplaintFilter, $groupBy: [StatsDimension!]!) {
  complaintStats(filter: $filter, groupBy: $groupBy) {
    complete missingSources
    total { count verified resolved resolutionRate overdue suppressed }
    buckets { key { province regency tier status year month } count verified resolved
              resolutionRate overdue suppressed }
  }
}"""


def test_stats_by_province_sum_every_source(gql: GraphQL) -> None:
    stats = gql(STATS, {"groupBy": ["PROVINCE"]})["data"]["complaintStats"]
    counts = {bucket["key"]["province"]: bucket["count"] for bucket in stats["buckets"]}
    assert counts == {"12": 4 + 33 + 7, "31": 5, None: 3}
    assert stats["total"]["count"] == 52
    assert stats["complete"] is True


def test_rates_come_from_summed_counts(gql: GraphQL) -> None:
    stats = gql(STATS, {"groupBy": ["YEAR"], "filter": {"region": "12"}})["data"]["complaintStats"]
    (bucket,) = stats["buckets"]
    assert bucket["key"]["year"] == 2023
    assert bucket["count"] == 44
    # 43 verified (one SUBMITTED), 36 resolved (the 7 IN_PROGRESS are not).
    assert (bucket["verified"], bucket["resolved"]) == (43, 36)
    assert abs(bucket["resolutionRate"] - 36 / 43) < 1e-12
    assert bucket["overdue"] == 1 + 7


def test_stats_group_by_several_dimensions(gql: GraphQL) -> None:
    stats = gql(STATS, {"groupBy": ["REGENCY", "STATUS"], "filter": {"region": "12"}})
    buckets = stats["data"]["complaintStats"]["buckets"]
    keyed = {(b["key"]["regency"], b["key"]["status"]): b["count"] for b in buckets}
    assert keyed[("12.72", "IN_PROGRESS")] == 6
    assert keyed[("12.72", "ESCALATED")] == 1
    assert keyed[("12.71", "SUBMITTED")] == 1
    assert keyed[(None, "COMPLETED")] == 4


def test_stats_for_a_regency_contact_only_its_source(
    gql: GraphQL, statements: StatementCounter
) -> None:
    statements.reset()
    gql(STATS, {"groupBy": ["STATUS"], "filter": {"region": "12.72"}})
    assert set(statements.counts) == {"reg-12.72"}


def test_duplicate_dimension_is_refused(gql: GraphQL) -> None:
    body = gql(STATS, {"groupBy": ["YEAR", "YEAR"]})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_date_past_the_calendar_is_a_client_mistake_not_a_server_error(gql: GraphQL) -> None:
    body = gql(STATS, {"groupBy": ["YEAR"], "filter": {"submittedTo": "9999-12-31"}})
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert "between" in body["errors"][0]["message"]
