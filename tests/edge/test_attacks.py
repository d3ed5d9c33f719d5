"""The security regression suite: one test per attack on the HTTP edge.

Each runs against a production-mode gateway (introspection and suggestions off) over the small
SQLite world, asserts the refusal's code, that no SQL statement reached any source where that
matters, and that the refusal came back within `SECONDS`.
"""

import io
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.http.logs import install_logging
from tests.conftest import StatementCounter
from tests.edge.conftest import SECONDS, EdgeApp, codes, post, production_token

TOKEN = production_token()


@pytest.fixture
def quiet(statements: StatementCounter) -> Iterator[StatementCounter]:
    """Counts statements from zero, and asserts the test took under `SECONDS`."""
    statements.reset()
    started = time.monotonic()
    yield statements
    assert time.monotonic() - started < SECONDS


def refused(client: TestClient, query: str, code: str, **kwargs: Any) -> dict[str, Any]:
    response = post(client, query, token=TOKEN, **kwargs)
    assert response.status_code == 400, response.text
    assert codes(response) == [code], response.text
    body: dict[str, Any] = response.json()
    assert "data" not in body
    return body


def test_depth_through_fragments(production: TestClient, quiet: StatementCounter) -> None:
    query = """
    { complaints(first: 1) { edges { node { ...Journey } } } }
    fragment Journey on Complaint { dispositions { fromAgency { region { ...Family } } } }
    fragment Family on Region { parent { children { parent { children { code } } } } }
    """
    refused(production, query, "QUERY_TOO_DEEP")
    assert quiet.total == 0


def test_the_deepest_legitimate_query_runs(production: TestClient) -> None:
    query = """{ complaints(first: 2) { edges { node { dispositions { fromAgency {
        region { parent { children { code } } } } } } } } }"""
    response = post(production, query, token=TOKEN)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


def test_a_thousand_aliases(
    production: TestClient, edge_app: EdgeApp, quiet: StatementCounter
) -> None:
    aliases = " ".join(f"a{i}: viewer {{ tier }}" for i in range(1000))
    refused(production, f"{{ {aliases} }}", "TOO_MANY_TOKENS")
    inside = " ".join(f"a{i}: tier" for i in range(1000))
    refused(production, f"{{ viewer {{ {inside} }} }}", "TOO_MANY_TOKENS")
    # With the token limit out of the way, the alias limit itself refuses them.
    roomy = edge_app(production=True, max_tokens=20_000)
    refused(roomy, f"{{ viewer {{ {inside} }} }}", "TOO_MANY_ALIASES")
    sixteen = " ".join(f"a{i}: tier" for i in range(16))
    refused(production, f"{{ viewer {{ {sixteen} }} }}", "TOO_MANY_ALIASES")
    assert quiet.total == 0


def test_five_thousand_duplicate_fields(production: TestClient, quiet: StatementCounter) -> None:
    refused(production, "{ viewer { " + "tier " * 5000 + "} }", "TOO_MANY_TOKENS")
    assert quiet.total == 0


def test_a_thousand_directives(
    production: TestClient, edge_app: EdgeApp, quiet: StatementCounter
) -> None:
    directives = "@include(if: true) " * 1000
    refused(production, f"{{ viewer {{ tier {directives} }} }}", "TOO_MANY_TOKENS")
    roomy = edge_app(production=True, max_tokens=20_000)
    refused(roomy, f"{{ viewer {{ tier {directives} }} }}", "TOO_MANY_DIRECTIVES")
    refused(
        production, "{ viewer { tier " + "@include(if: true) " * 21 + "} }", "TOO_MANY_DIRECTIVES"
    )
    assert quiet.total == 0


def test_exponential_fragment_spreads(production: TestClient, quiet: StatementCounter) -> None:
    # F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^40 expansions from 40 short lines.
    fragments = "\n".join(
        f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    query = f"{{ viewer {{ ...F0 }} }}\n{fragments}\nfragment F40 on Viewer {{ tier }}"
    refused(production, query, "TOO_MANY_FRAGMENT_SPREADS")
    assert quiet.total == 0


def test_fragment_cycles(production: TestClient, quiet: StatementCounter) -> None:
    query = """{ viewer { ...A } }
    fragment A on Viewer { tier ...B }
    fragment B on Viewer { role ...A }"""
    body = refused(production, query, "GRAPHQL_VALIDATION_FAILED")
    assert "cycle" in body["errors"][0]["message"].lower() or "itself" in str(body)
    assert quiet.total == 0


@pytest.mark.parametrize("first", ["100000000", "-1", "101"])
def test_page_sizes_out_of_range(
    production: TestClient, quiet: StatementCounter, first: str
) -> None:
    query = f"{{ complaints(first: {first}) {{ totalCount edges {{ node {{ id }} }} }} }}"
    response = post(production, query, token=TOKEN)
    assert response.status_code == 200
    assert codes(response) == ["BAD_USER_INPUT"]
    assert quiet.total == 0


def test_over_the_cost_budget(production: TestClient, quiet: StatementCounter) -> None:
    body = refused(
        production, "{ regions { children { children { code } } } }", "QUERY_TOO_COMPLEX"
    )
    assert body["errors"][0]["extensions"]["maxCost"] == 50_000
    query = """{ complaints(first: 100) { edges { node {
        a: dispositions { fromAgency { region { parent { children { code name } } } } }
        b: statusHistory { actorAgency { region { parent { children { code name } } } } } } } } }"""
    refused(production, query, "QUERY_TOO_COMPLEX")
    # Variables count as the largest page: the budget is known before the values are.
    query = """query($n: Int!) { complaints(first: $n) { edges { node {
        dispositions { fromAgency { region { parent { children { code name } } } } } } } } }"""
    refused(production, query, "QUERY_TOO_COMPLEX", variables={"n": 1})
    assert quiet.total == 0


def test_too_many_root_fields(production: TestClient, quiet: StatementCounter) -> None:
    refused(production, "{ " + "viewer { tier } " * 11 + "}", "TOO_MANY_ROOT_FIELDS")
    assert quiet.total == 0


def test_array_batching_is_off(production: TestClient, quiet: StatementCounter) -> None:
    batch = [{"query": "{ complaints { totalCount } }"}] * 2
    response = production.post("/graphql", json=batch)
    assert response.status_code == 400
    assert codes(response) == ["BATCHING_DISABLED"]
    assert quiet.total == 0


def test_a_five_megabyte_body(production: TestClient, quiet: StatementCounter) -> None:
    padding = "#" + "x" * (5 * 1024 * 1024) + "\n{ complaints { totalCount } }"
    response = post(production, padding, token=TOKEN)
    assert response.status_code == 413
    assert codes(response) == ["REQUEST_TOO_LARGE"]
    assert quiet.total == 0


def test_a_chunked_body_without_a_length(production: TestClient, quiet: StatementCounter) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"query": "#'
        for _ in range(5 * 1024):
            sent += 1
            yield b"x" * 1024
        yield b'\\n{ complaints { totalCount } }"}'

    response = production.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert codes(response) == ["REQUEST_TOO_LARGE"]
    assert "content-length" not in response.request.headers
    assert quiet.total == 0


def test_invalid_utf8(production: TestClient, quiet: StatementCounter) -> None:
    response = production.post(
        "/graphql",
        content=b'{"query": "{ viewer { tier } }", "x": "\xff\xfe"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert codes(response) == ["INVALID_UTF8"]
    assert quiet.total == 0


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"query": "{ viewer { tier } }", "variables": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
    ],
    ids=["arrays", "in-variables", "objects"],
)
def test_json_nesting_bombs(production: TestClient, quiet: StatementCounter, body: bytes) -> None:
    response = production.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert codes(response) == ["JSON_TOO_DEEP"]
    assert quiet.total == 0


def test_invalid_json(production: TestClient, quiet: StatementCounter) -> None:
    for body in (b'{"query": ', b"", b"nul", b'"just a string"'):
        response = production.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, body
        assert codes(response)[0] in {"INVALID_JSON", "BAD_REQUEST"}
    assert quiet.total == 0


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name } } }",
        '{ __type(name: "Complaint") { fields { name } } }',
        "{ x: __schema { queryType { name } } }",
        "{ ...Sneaky } fragment Sneaky on Query { __schema { types { name } } }",
        '{ ... on Query { __type(name: "Reporter") { name } } }',
        "query IntrospectionQuery { __schema { queryType { name } } }",
    ],
    ids=["schema", "type", "aliased", "fragment", "inline-fragment", "named-like-graphiql"],
)
def test_introspection_is_off_in_production(
    production: TestClient, quiet: StatementCounter, query: str
) -> None:
    body = refused(production, query, "INTROSPECTION_DISABLED")
    assert "Complaint" not in str(body["errors"]) or "Complaint" in query
    assert quiet.total == 0


def test_typename_still_works_in_production(production: TestClient) -> None:
    response = post(production, "{ __typename }", token=TOKEN)
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "variables", "hidden"),
    [
        ("{ complaints { edges { node { titl } } } }", None, ["title", "Complaint"]),
        ("{ complaints(frist: 5) { totalCount } }", None, ["first", "filter"]),
        (
            "query($f: ComplaintFiltr) { complaints(filter: $f) { totalCount } }",
            None,
            ["ComplaintFilter"],
        ),
        (
            "{ complaints(filter: {status: [SUBMITED]}) { totalCount } }",
            None,
            ["SUBMITTED", "ComplaintStatus"],
        ),
        (
            '{ complaints(filter: {regoin: "12"}) { totalCount } }',
            None,
            ["region", "incidentRegion", "ComplaintFilter"],
        ),
        (
            "query($s: [ComplaintStatus!]) { complaints(filter: {status: $s}) { totalCount } }",
            {"s": ["SUBMITED"]},
            ["SUBMITTED"],
        ),
        ("{ reportr { name } }", None, ["reporter", "regions", "Query"]),
    ],
    ids=["field", "argument", "type", "enum", "input-field", "enum-variable", "root"],
)
def test_typos_reveal_no_names(
    production: TestClient,
    quiet: StatementCounter,
    query: str,
    variables: dict[str, Any] | None,
    hidden: list[str],
) -> None:
    response = post(production, query, variables, token=TOKEN)
    assert response.status_code == 400
    text = str(response.json()["errors"])
    assert "Did you mean" not in text
    for name in hidden:
        assert name not in text.replace(query, ""), (name, text)
    assert quiet.total == 0


def test_typos_get_suggestions_in_demo(edge_app: EdgeApp) -> None:
    response = post(edge_app(), "{ complaints { edges { node { titl } } } }")
    assert "Did you mean" in str(response.json()["errors"])


def test_get_is_refused_by_default(production: TestClient, quiet: StatementCounter) -> None:
    response = production.get("/graphql", params={"query": "{ complaints { totalCount } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["METHOD_NOT_ALLOWED"]
    assert quiet.total == 0


def test_get_runs_queries_only_where_enabled(edge_app: EdgeApp) -> None:
    client = edge_app(production=True, allow_get_queries=True)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ok = client.get("/graphql", params={"query": "{ viewer { tier } }"}, headers=headers)
    assert ok.json() == {"data": {"viewer": {"tier": "NATIONAL"}}}
    mutation = client.get("/graphql", params={"query": "mutation { x }"}, headers=headers)
    assert 400 <= mutation.status_code < 500
    named = client.get(
        "/graphql",
        params={"query": "query Q { viewer { tier } } mutation M { x }", "operationName": "M"},
        headers=headers,
    )
    assert 400 <= named.status_code < 500


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"query=%7B+complaints+%7B+totalCount+%7D+%7D"),
        ("text/plain", b'{"query": "{ complaints { totalCount } }"}'),
        ("text/plain;charset=UTF-8", b'{"query": "{ complaints { totalCount } }"}'),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="query"'
            b"\r\n\r\n{ complaints { totalCount } }\r\n--x--\r\n",
        ),
        ("application/json; charset=latin-1", b'{"query": "{ complaints { totalCount } }"}'),
        (None, b'{"query": "{ complaints { totalCount } }"}'),
    ],
    ids=["form", "text", "text-utf8", "multipart", "latin-1", "none"],
)
def test_csrf_shaped_posts_are_refused(
    production: TestClient, quiet: StatementCounter, content_type: str | None, body: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = production.post("/graphql", content=body, headers=headers)
    assert response.status_code == 415
    assert codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]
    assert quiet.total == 0


SQL_METACHARACTERS = [
    "' OR '1'='1",
    "'; DROP TABLE complaints; --",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "12%",
    "1_.71",
    "*/ UNION SELECT name, nik FROM reporters /*",
]
STRING_FILTERS = ["region", "incidentRegion", "agency", "category", "text"]


def outcome(response: Any) -> tuple[Any, list[str]]:
    body = response.json()
    return body.get("data"), [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize("field", STRING_FILTERS)
def test_sql_metacharacters_in_string_filters(production: TestClient, field: str) -> None:
    """Every string filter answers metacharacters as it answers harmless text that matches
    nothing: same data, same codes, and no database text anywhere."""
    query = """query($f: ComplaintFilter) {
        complaints(filter: $f, first: 5) { totalCount edges { node { id } } }
        complaintStats(filter: $f, groupBy: [YEAR]) { total { count } } }"""
    harmless = outcome(post(production, query, {"f": {field: "zzzzzz"}}, token=TOKEN))
    for value in SQL_METACHARACTERS:
        response = post(production, query, {"f": {field: value}}, token=TOKEN)
        assert response.status_code == 200
        assert outcome(response) == harmless, (field, value, response.text)
        text = response.text.lower()
        for leak in ("sqlite", "syntax", "sqlalchemy", "operationalerror", "traceback"):
            assert leak not in text, (field, value)


@pytest.mark.parametrize("control", ["\x00", "a\x00b", "\x1b[2J", "\r\n"])
def test_control_characters_in_the_text_filter_are_refused(
    production: TestClient, control: str
) -> None:
    query = "query($f: ComplaintFilter) { complaints(filter: $f) { totalCount } }"
    response = post(production, query, {"f": {"text": control}}, token=TOKEN)
    body = response.json()
    assert body.get("data") is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]


def test_an_error_flood_does_not_flood_the_logs(edge_app: EdgeApp) -> None:
    client = edge_app(production=True)
    stream = io.StringIO()
    handler = install_logging(rate=10, stream=stream)
    try:
        started = time.monotonic()
        for i in range(400):
            post(client, f"{{ nope{i} }}", token=TOKEN)
            client.post("/graphql", content=b"{", headers={"Content-Type": "application/json"})
        elapsed = time.monotonic() - started
    finally:
        logging.getLogger("lapor").removeHandler(handler)
    lines = stream.getvalue().splitlines()
    kinds = 2  # lapor.requests with GRAPHQL_VALIDATION_FAILED, and with INVALID_JSON
    assert len(lines) <= kinds * (10 * elapsed + 20 + 1), len(lines)
    assert any('"dropped"' in line for line in lines) or len(lines) < 40
    for line in lines:
        assert "nope" not in line  # never the query text
