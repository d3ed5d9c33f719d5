"""The limits themselves: their defaults come from the schema's real needs, they are
configurable, they run once per distinct document, and legitimate queries fit."""

from typing import Any

import pytest
from graphql import get_introspection_query

import gateway.admission.complexity
import gateway.admission.documents
from gateway.admission.complexity import deepest_path
from gateway.admission.limits import DEPTH_LIMIT, INTROSPECTION_DEPTH_LIMIT
from gateway.graph import build_schema
from tests.edge.conftest import EdgeApp, codes, post

README_PAGE = """{
  complaints(filter: {region: "12.71"}, first: 50) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id trackingId title status submittedAt
      handlingAgency { name } category { name }
      statusHistory { fromStatus toStatus at }
      dispositions { fromAgency { name tier } toAgency { name tier } at }
    } }
  }
}"""
EVERYTHING = """{ complaints(first: 100) { totalCount complete missingSources
  pageInfo { hasNextPage endCursor } edges { cursor node {
  id trackingId type status title body channel incidentDate submittedAt verifiedAt disposedAt
  inProgressAt respondedAt finishedAt verifyDueAt completionDueAt
  region { code name level kind } incidentRegion { code name } isAnonymous isConfidential
  reporter { name nik phone email } handlingAgency { code name tier kind region { code name } }
  category { code name } statusHistory { fromStatus toStatus at note actorAgency { code name } }
  dispositions { at reason fromAgency { code name tier region { code name parent { code } } }
                 toAgency { code name tier region { code name parent { code } } } }
  followUps { at body agency { code name tier } } } } } }"""


def test_the_depth_limit_is_the_deepest_legitimate_query_plus_one() -> None:
    path = deepest_path(build_schema()._schema)
    assert len(path) == 9, path
    assert path[:3] == ["Query.complaints", "ComplaintConnection.edges", "ComplaintEdge.node"]
    assert len(path) + 1 == DEPTH_LIMIT


def test_graphiql_introspection_fits_the_limits_in_demo(edge_app: EdgeApp) -> None:
    # The options GraphiQL asks for: the same nine levels of `ofType`.
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    prepared = build_schema().documents.prepare(query)
    assert prepared.measures["IntrospectionQuery"].introspection_depth == INTROSPECTION_DEPTH_LIMIT
    response = post(edge_app(), query)
    assert response.status_code == 200
    assert "errors" not in response.json()


@pytest.mark.parametrize("query", [README_PAGE, EVERYTHING], ids=["readme-page", "everything"])
def test_legitimate_pages_fit_the_budget(edge_app: EdgeApp, query: str) -> None:
    response = post(edge_app(), query)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


def test_the_introspection_depth_bound_still_applies(edge_app: EdgeApp) -> None:
    nested = "ofType { " * 14 + "name" + " }" * 14
    query = f'{{ __type(name: "Complaint") {{ fields {{ type {{ {nested} }} }} }} }}'
    assert codes(post(edge_app(), query)) == ["QUERY_TOO_DEEP"]


@pytest.mark.parametrize(
    ("settings", "query", "code"),
    [
        (
            {"max_depth": 3},
            '{ region(code: "12") { parent { parent { code } } } }',
            "QUERY_TOO_DEEP",
        ),
        ({"max_query_length": 100}, "{ viewer { tier } }" + " " * 100, "QUERY_TOO_LONG"),
        ({"max_tokens": 50}, "{ viewer { tier } }\n" + "# c\n" * 60, "TOO_MANY_TOKENS"),
        ({"max_aliases": 1}, "{ a: viewer { tier } b: viewer { tier } }", "TOO_MANY_ALIASES"),
        ({"max_root_fields": 1}, "{ viewer { tier } sources { id } }", "TOO_MANY_ROOT_FIELDS"),
        ({"max_directives": 0}, "{ viewer @include(if: true) { tier } }", "TOO_MANY_DIRECTIVES"),
        ({"max_cost": 10}, "{ regions { code } }", "QUERY_TOO_COMPLEX"),
        (
            {"max_fragment_spreads": 1},
            "{ ...A ...A } fragment A on Query { viewer { tier } }",
            "TOO_MANY_FRAGMENT_SPREADS",
        ),
        ({"introspection": False}, "{ __schema { queryType { name } } }", "INTROSPECTION_DISABLED"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.isupper() else None,
)
def test_each_limit_is_configurable_and_coded(
    edge_app: EdgeApp, settings: dict[str, Any], query: str, code: str
) -> None:
    client = edge_app(**settings)
    response = post(client, query)
    assert response.status_code == 400
    assert codes(response) == [code]
    assert "data" not in response.json()


def test_limits_run_once_per_distinct_document(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = gateway.admission.complexity.analyse

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(gateway.admission.documents, "analyse", counting)
    documents = build_schema().documents
    first = documents.prepare(README_PAGE)
    for _ in range(100):
        assert documents.prepare(README_PAGE) is first
    assert len(calls) == 1
    refused = "{ regions { children { children { code } } } }"
    assert documents.prepare(refused) is documents.prepare(refused)
    assert len(calls) == 2


def test_refused_documents_cannot_evict_valid_ones() -> None:
    documents = build_schema().documents
    valid = documents.prepare(README_PAGE)
    for i in range(2000):
        documents.prepare(f"{{ nope{i} }}")
    assert documents.prepare(README_PAGE) is valid
