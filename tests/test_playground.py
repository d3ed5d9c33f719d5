"""The GraphQL playground: a page that loads only bundled assets, those assets, the demo-token
route and the example operations."""

import json
import re
from enum import Enum
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from gateway.domain import (
    Channel,
    ComplaintStatus,
    ComplaintType,
    PrincipalTier,
    RegionKind,
    RegionLevel,
    Role,
    Tier,
)
from gateway.playground import (
    EXAMPLE_QUERIES,
    EXAMPLE_VARIABLES,
    playground_html,
    playground_routes,
)

DEMO_TOKENS: list[dict[str, str | None]] = [
    {"label": "National analyst", "token": "tok-national"},
    {"label": "Provincial staff — Sumatera Utara (12)", "token": "tok-12"},
    {"label": "Regency operator — Kota Medan (12.71)", "token": "tok-12.71"},
    {"label": "Public (no token)", "token": None},
]


def _app(*, demo: bool) -> Starlette:
    async def graphql_page(request: Request) -> Response:
        return playground_html(request.scope.get("root_path", ""))

    tokens = (lambda: DEMO_TOKENS) if demo else None
    return Starlette(routes=[*playground_routes(tokens), Route("/graphql", graphql_page)])


@pytest.fixture(scope="module")
def demo_client() -> TestClient:
    return TestClient(_app(demo=True))


@pytest.fixture(scope="module")
def plain_client() -> TestClient:
    return TestClient(_app(demo=False))


class _Page(HTMLParser):
    """Collects what a browser would fetch, and the inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[tuple[str, str]] = []  # (kind, url)
        self.inline_scripts: list[tuple[dict[str, str | None], str]] = []
        self._script_attrs: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.assets.append(("script", attributes["src"] or ""))
            else:
                self._script_attrs = attributes
                self._script_text = []
        elif tag == "link" and attributes.get("href"):
            self.assets.append((attributes.get("rel") or "link", attributes["href"] or ""))
        elif tag in {"img", "iframe", "source", "audio", "video"} and attributes.get("src"):
            self.assets.append((tag, attributes["src"] or ""))

    def handle_data(self, data: str) -> None:
        if self._script_attrs is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_attrs is not None:
            self.inline_scripts.append((self._script_attrs, "".join(self._script_text)))
            self._script_attrs = None


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _config(page: _Page) -> dict[str, object]:
    configs = [
        text for attrs, text in page.inline_scripts if attrs.get("id") == "playground-config"
    ]
    assert len(configs) == 1
    config = json.loads(configs[0])
    assert isinstance(config, dict)
    return config


def test_page_is_html_with_a_strict_policy(demo_client: TestClient) -> None:
    response = demo_client.get("/graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy


def test_page_loads_only_bundled_assets(demo_client: TestClient) -> None:
    html = demo_client.get("/graphql").text
    page = _parse(html)
    # The only inline asset is the empty favicon, which spares browsers a /favicon.ico 404.
    assert [url for _, url in page.assets if url.startswith("data:")] == ["data:,"]
    paths = {url.split("?")[0] for _, url in page.assets if not url.startswith("data:")}
    assert paths == {
        "/graphql/static/graphiql.min.css",
        "/graphql/static/playground.css",
        "/graphql/static/react.production.min.js",
        "/graphql/static/react-dom.production.min.js",
        "/graphql/static/graphiql.min.js",
        "/graphql/static/playground.js",
    }
    assert not re.search(r"https?://", html)
    assert not re.search(r"(?<![a-z])//[a-z0-9.-]+\.[a-z]{2,}", html)  # protocol-relative
    lowered = html.lower()
    for word in ("cdn", "unpkg", "jsdelivr", "googleapis", "esm.sh"):
        assert word not in lowered
    # Scripts run in dependency order: React, ReactDOM, GraphiQL, then the page's own code.
    scripts = [url.split("?")[0].rsplit("/", 1)[1] for kind, url in page.assets if kind == "script"]
    assert scripts == [
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "playground.js",
    ]
    # Only the JSON configuration is inline; it is data, not code.
    assert [attrs.get("type") for attrs, _ in page.inline_scripts] == ["application/json"]


@pytest.mark.parametrize(
    ("suffix", "content_type"), [(".js", "text/javascript"), (".css", "text/css")]
)
def test_every_referenced_asset_is_served(
    demo_client: TestClient, suffix: str, content_type: str
) -> None:
    page = _parse(demo_client.get("/graphql").text)
    urls = [url for _, url in page.assets if url.split("?")[0].endswith(suffix)]
    assert urls
    for url in urls:
        response = demo_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].split(";")[0] == content_type, url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "immutable" in response.headers["cache-control"], url
        assert len(response.content) > 100, url


def test_assets_are_the_vendored_builds(demo_client: TestClient) -> None:
    graphiql = demo_client.get("/graphql/static/graphiql.min.js").text
    assert "window.GraphiQL" in graphiql
    assert 'window["React"]' in graphiql or "window.React" in graphiql
    react = demo_client.get("/graphql/static/react.production.min.js").text
    assert "18.3.1" in react
    react_dom = demo_client.get("/graphql/static/react-dom.production.min.js").text
    assert "18.3.1" in react_dom
    css = demo_client.get("/graphql/static/graphiql.min.css").text
    assert ".graphiql-container" in css
    assert "http://" not in css.replace("http://www.w3.org/", "")
    assert "https://" not in css.replace("https://www.w3.org/", "")


def test_licenses_name_every_vendored_package(demo_client: TestClient) -> None:
    response = demo_client.get("/graphql/static/LICENSES.txt")
    assert response.status_code == 200
    text = response.text
    for package, version in (("graphiql", "3.8.3"), ("react", "18.3.1"), ("react-dom", "18.3.1")):
        assert re.search(rf"\b{re.escape(package)}\s+{re.escape(version)}\b", text), package
    assert "Permission is hereby granted, free of charge" in text


def test_unversioned_asset_urls_are_revalidated(demo_client: TestClient) -> None:
    response = demo_client.get("/graphql/static/playground.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    etag = response.headers["etag"]
    again = demo_client.get("/graphql/static/playground.js", headers={"if-none-match": etag})
    assert again.status_code == 304


def test_static_mount_serves_nothing_else(demo_client: TestClient) -> None:
    assert demo_client.get("/graphql/static/missing.js").status_code == 404
    assert demo_client.get("/graphql/static/../routes.py").status_code == 404
    assert demo_client.get("/graphql/static/%2e%2e/routes.py").status_code == 404
    assert demo_client.post("/graphql/static/playground.js").status_code == 405


def test_demo_tokens_route_only_in_demo_mode(
    demo_client: TestClient, plain_client: TestClient
) -> None:
    response = demo_client.get("/graphql/demo-tokens")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == DEMO_TOKENS

    assert plain_client.get("/graphql/demo-tokens").status_code == 404
    # The page is the same either way: it asks the route and shows no picker on 404.
    assert plain_client.get("/graphql").text == demo_client.get("/graphql").text


def test_demo_tokens_are_read_on_every_request() -> None:
    calls: list[int] = []

    def tokens() -> list[dict[str, str | None]]:
        calls.append(1)
        return [{"label": f"call {len(calls)}", "token": None}]

    client = TestClient(Starlette(routes=playground_routes(tokens)))
    assert client.get("/graphql/demo-tokens").json() == [{"label": "call 1", "token": None}]
    assert client.get("/graphql/demo-tokens").json() == [{"label": "call 2", "token": None}]


def test_examples_are_embedded(demo_client: TestClient) -> None:
    html = demo_client.get("/graphql").text
    config = _config(_parse(html))
    assert config["endpoint"] == "/graphql"
    assert config["demoTokensUrl"] == "/graphql/demo-tokens"
    examples = config["examples"]
    assert isinstance(examples, list)
    assert [(e["title"], e["query"]) for e in examples] == EXAMPLE_QUERIES
    for example in examples:
        variables = EXAMPLE_VARIABLES.get(example["title"])
        expected = None if variables is None else variables
        embedded = example["variables"]
        assert (None if embedded is None else json.loads(embedded)) == expected
    # Embedded JSON cannot end its <script> element early.
    assert "</" not in html.split('id="playground-config"', 1)[1].split("</script>", 1)[0]


def test_page_follows_the_root_path() -> None:
    async def graphql_page(request: Request) -> Response:
        return playground_html(request.scope.get("root_path", ""))

    app = Starlette(routes=[*playground_routes(None), Route("/graphql", graphql_page)])
    client = TestClient(app, root_path="/lapor")
    page = _parse(client.get("/graphql").text)
    urls = [url for _, url in page.assets if not url.startswith("data:")]
    assert urls
    assert all(url.startswith("/lapor/graphql/static/") for url in urls)
    config = _config(page)
    assert config["endpoint"] == "/lapor/graphql"
    assert config["demoTokensUrl"] == "/lapor/graphql/demo-tokens"


def test_page_template_ships_with_the_package() -> None:
    package = resources.files("gateway.playground")
    assert package.joinpath("page.html").is_file()
    for name in (
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "playground.js",
        "playground.css",
        "LICENSES.txt",
    ):
        assert package.joinpath("static", name).is_file(), name


def _enum(name: str, members: type[Enum]) -> str:
    return f"enum {name} {{ {' '.join(member.value for member in members)} }}"


# The public schema as the playground's examples assume it (names fixed by the design).
# FollowUp's fields are not used by any example.
SCHEMA_SDL = "\n".join(
    (
        "scalar Date",
        "scalar DateTime",
        _enum("Tier", Tier),
        _enum("PrincipalTier", PrincipalTier),
        _enum("Role", Role),
        _enum("ComplaintType", ComplaintType),
        _enum("Channel", Channel),
        _enum("ComplaintStatus", ComplaintStatus),
        _enum("RegionLevel", RegionLevel),
        _enum("RegionKind", RegionKind),
        """
        enum ComplaintOrder { SUBMITTED_AT_DESC }
        enum StatsDimension { PROVINCE REGENCY AGENCY TIER CATEGORY TYPE CHANNEL STATUS YEAR MONTH }
        interface Node { id: ID! }
        type Query {
          complaint(id: ID!): Complaint
          node(id: ID!): Node
          complaints(filter: ComplaintFilter, orderBy: ComplaintOrder = SUBMITTED_AT_DESC,
                     first: Int = 20, after: String): ComplaintConnection!
          complaintStats(filter: ComplaintFilter, groupBy: [StatsDimension!]!): StatsResult!
          region(code: String!): Region
          regions(level: RegionLevel, parent: String): [Region!]!
          sources: [SourceInfo!]!
          viewer: Viewer!
        }
        input ComplaintFilter {
          region: String, incidentRegion: String, agency: String, tier: Tier,
          status: [ComplaintStatus!], type: [ComplaintType!], category: [String!],
          channel: [Channel!], submittedFrom: Date, submittedTo: Date, overdue: Boolean,
          text: String
        }
        type ComplaintConnection {
          edges: [ComplaintEdge!]!, pageInfo: PageInfo!, totalCount: Int!,
          complete: Boolean!, missingSources: [String!]!
        }
        type ComplaintEdge { cursor: String!, node: Complaint! }
        type PageInfo { hasNextPage: Boolean!, endCursor: String }
        type StatsResult {
          buckets: [StatsBucket!]!, total: StatsBucket!, exact: Boolean!, complete: Boolean!,
          missingSources: [String!]!
        }
        type StatsBucket {
          key: StatsKey!, count: Int!, verified: Int!, resolved: Int!, resolutionRate: Float,
          overdue: Int!
        }
        type StatsKey {
          province: String, regency: String, agency: String, tier: Tier, category: String,
          type: ComplaintType, channel: Channel, status: ComplaintStatus, year: Int, month: Int
        }
        type Complaint implements Node {
          id: ID!, trackingId: String!, type: ComplaintType!, status: ComplaintStatus!,
          title: String!, body: String, channel: Channel!, submittedAt: DateTime!,
          verifiedAt: DateTime, disposedAt: DateTime, inProgressAt: DateTime,
          respondedAt: DateTime, finishedAt: DateTime, handlingAgency: Agency, region: Region,
          incidentRegion: Region, category: Category, statusHistory: [StatusEvent!]!,
          dispositions: [Disposition!]!, followUps: [FollowUp!]!, isAnonymous: Boolean!,
          isConfidential: Boolean!
        }
        type FollowUp { at: DateTime! }
        type Agency { code: String!, name: String!, tier: Tier!, region: Region }
        type Category { code: String!, name: String! }
        type StatusEvent {
          fromStatus: ComplaintStatus, toStatus: ComplaintStatus!, at: DateTime!,
          actorAgency: Agency, note: String
        }
        type Disposition { fromAgency: Agency, toAgency: Agency, at: DateTime!, reason: String }
        type Region {
          code: String!, name: String!, level: RegionLevel!, kind: RegionKind!,
          parent: Region, children: [Region!]!
        }
        type SourceInfo { id: String!, kind: String!, covers: [String!]! }
        type Viewer { tier: PrincipalTier!, region: String, agency: String, role: Role }
        """,
    )
)


@pytest.mark.parametrize(("title", "query"), EXAMPLE_QUERIES, ids=[t for t, _ in EXAMPLE_QUERIES])
def test_example_is_a_valid_named_operation(title: str, query: str) -> None:
    document = parse(query)
    errors = validate(build_schema(SCHEMA_SDL), document)
    assert not errors, [error.message for error in errors]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations
    assert all(operation.name is not None for operation in operations)
    declared = {
        definition.variable.name.value
        for operation in operations
        for definition in operation.variable_definitions or ()
    }
    assert set(EXAMPLE_VARIABLES.get(title, {})) <= declared


REPO_SCHEMA = Path(__file__).resolve().parents[1] / "schema.graphql"


@pytest.mark.skipif(not REPO_SCHEMA.is_file(), reason="no schema.graphql snapshot in the repo")
@pytest.mark.parametrize(("title", "query"), EXAMPLE_QUERIES, ids=[t for t, _ in EXAMPLE_QUERIES])
def test_example_is_valid_against_the_published_schema(title: str, query: str) -> None:
    schema = build_schema(REPO_SCHEMA.read_text(encoding="utf-8"))
    errors = validate(schema, parse(query))
    assert not errors, [error.message for error in errors]


def test_example_titles_are_unique_and_variables_match_titles() -> None:
    titles = [title for title, _ in EXAMPLE_QUERIES]
    assert len(titles) == len(set(titles))
    assert set(EXAMPLE_VARIABLES) <= set(titles)


def test_examples_cover_each_audience() -> None:
    text = "\n".join(query for _, query in EXAMPLE_QUERIES)
    assert "groupBy: [PROVINCE]" in text
    assert "groupBy: [YEAR]" in text
    assert "groupBy: [REGENCY]" in text
    assert '"12.71"' in text
    assert "overdue: true" in text
    assert "dispositions" in text
    assert "viewer" in text
    assert "sources" in text
