"""The demo answers the published North Sumatra figures and respects every tier's scope."""

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.cli import main
from gateway.federation.ids import NodeIdCodec, demo_node_id_key
from tests.conftest import StatementCounter

STATS = """query Stats($filter: ComplaintFilter) {
  complaintStats(filter: $filter, groupBy: [YEAR]) {
    complete buckets { key { year } count verified resolved resolutionRate }
  }
}"""
PAGE = """query Page($filter: ComplaintFilter, $first: Int, $after: String) {
  complaints(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id submittedAt region { code } } }
  }
}"""


def token(demo_dir: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    main(["token", "--data-dir", str(demo_dir), *argv])
    return capsys.readouterr().out.strip()


def ask(client: TestClient, bearer: str, query: str, **variables: Any) -> dict[str, Any]:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def count_rows(database: Path, where: str = "1 = 1") -> int:
    with closing(sqlite3.connect(database)) as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM complaint WHERE {where}").fetchone()  # noqa: S608
    return int(count)


def test_north_sumatra_matches_the_published_figures(
    demo_dir: Path, demo_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    provincial = token(demo_dir, capsys, "--tier", "PROVINCIAL", "--region", "12")
    data = ask(demo_client, provincial, STATS, filter={"region": "12"})
    years = {bucket["key"]["year"]: bucket for bucket in data["complaintStats"]["buckets"]}
    assert years[2022]["count"] == 34_375
    assert years[2023]["count"] == 48_805
    assert round(years[2022]["resolutionRate"], 4) == 0.7828
    early_2024 = {"region": "12", "submittedFrom": "2024-01-01", "submittedTo": "2024-03-31"}
    (quarter,) = ask(demo_client, provincial, STATS, filter=early_2024)["complaintStats"]["buckets"]
    assert round(quarter["resolutionRate"], 4) == 0.9232
    assert data["complaintStats"]["complete"] is True


def test_regency_sees_exactly_its_own_source(
    demo_dir: Path, demo_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    regency = token(
        demo_dir, capsys, "--tier", "REGENCY", "--region", "12.71", "--role", "OPERATOR"
    )
    connection = ask(demo_client, regency, PAGE, first=100)["complaints"]
    assert connection["totalCount"] == count_rows(demo_dir / "sources" / "reg-12.71.db")
    assert {edge["node"]["region"]["code"] for edge in connection["edges"]} == {"12.71"}


def test_national_sees_every_source(
    demo_dir: Path, demo_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    national = token(demo_dir, capsys, "--tier", "NATIONAL", "--role", "ANALYST")
    statements = StatementCounter(demo_client.app.state.federation)  # type: ignore[attr-defined]
    total = ask(demo_client, national, PAGE, first=1)["complaints"]["totalCount"]
    databases = sorted((demo_dir / "sources").glob("*.db"))
    assert len(databases) == len(statements.counts) == 72
    assert total == sum(count_rows(database) for database in databases)


def test_paging_north_sumatra_yields_every_complaint_once_in_order(
    demo_dir: Path, demo_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    provincial = token(demo_dir, capsys, "--tier", "PROVINCIAL", "--region", "12")
    month = {"region": "12", "submittedFrom": "2024-01-01", "submittedTo": "2024-01-31"}
    node_ids = NodeIdCodec.from_file(demo_node_id_key(demo_dir))
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        connection = ask(demo_client, provincial, PAGE, filter=month, first=100, after=after)[
            "complaints"
        ]
        # Ties on submittedAt break on the local id, which only the key holder can read.
        seen += [
            (edge["node"]["submittedAt"], node_ids.decode(edge["node"]["id"])[1])
            for edge in connection["edges"]
        ]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    expected = sum(
        count_rows(database, "submitted_at >= '2024-01-01' AND submitted_at < '2024-02-01'")
        for database in (demo_dir / "sources").glob("*-12*.db")
    )
    assert len(seen) == len(set(seen)) == connection["totalCount"] == expected
    assert seen == sorted(seen, reverse=True)


def test_source_calls_do_not_grow_with_page_size(
    demo_dir: Path, demo_client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    regency = token(demo_dir, capsys, "--tier", "REGENCY", "--region", "12.71")
    nested = """query Nested($first: Int) { complaints(first: $first) { edges { node {
        handlingAgency { name } category { name } statusHistory { toStatus }
        dispositions { fromAgency { name } toAgency { name } } } } } }"""
    statements = StatementCounter(demo_client.app.state.federation)  # type: ignore[attr-defined]
    counts = []
    for first in (10, 100):
        statements.reset()
        edges = ask(demo_client, regency, nested, first=first)["complaints"]["edges"]
        assert len(edges) == first
        counts.append(statements.total)
    assert counts[0] == counts[1]
