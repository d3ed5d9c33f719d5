"""What a request planned (`gateway/federation/explain.py`), shown in demo mode when asked and by
`lapor-gateway plan`: the sources from scope and filter, the columns pushed down, the
relations loaded, and the fields withheld from the caller."""

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.cli import main
from tests.conftest import SECRET, token_for

PAGE = """query($filter: ComplaintFilter) { complaints(first: 3, filter: $filter) {
  edges { node { id title trackingId incidentDate handlingAgency { name } } } } }"""
REGENCY = {"tier": "REGENCY", "region": "12.71", "role": "ANALYST"}


def ask(
    client: TestClient, query: str, caller: dict[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    headers = {}
    if caller is not None:
        headers["Authorization"] = f"Bearer {token_for(**caller)}"
    response = client.post("/graphql", json={"query": query, **extra}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def plan_of(client: TestClient, query: str, caller: dict[str, Any] | None, **extra: Any) -> Any:
    body = ask(client, query, caller, extensions={"plan": True}, **extra)
    assert "errors" not in body, body
    return body["extensions"]["plan"]


def test_a_regency_page_plans_its_own_source_and_its_columns(client: TestClient) -> None:
    (step,) = plan_of(client, PAGE, REGENCY)
    assert step["path"] == "complaints"
    assert step["sources"] == ["reg-12.71"]
    assert step["columns"] == ["agency_code", "incident_date", "title", "tracking_id"]
    assert step["relations"] == ["agency"]
    assert step["withheld"] == []


def test_the_public_plan_names_what_it_withholds(client: TestClient) -> None:
    (step,) = plan_of(client, PAGE, None)
    assert step["withheld"] == ["incidentDate", "trackingId"]
    assert step["columns"] == ["agency_code", "title"]  # what it may not read is not fetched
    assert len(step["sources"]) > 1  # published complaints of every region


def test_scope_and_filter_narrow_the_sources(client: TestClient) -> None:
    national = {"tier": "NATIONAL", "role": "ANALYST"}
    everywhere = plan_of(client, PAGE, national)[0]["sources"]
    provincial = plan_of(client, PAGE, national, variables={"filter": {"region": "12"}})
    outside = plan_of(client, PAGE, REGENCY, variables={"filter": {"region": "31"}})
    assert set(provincial[0]["sources"]) < set(everywhere)
    assert "reg-12.71" in provincial[0]["sources"]
    assert outside[0]["sources"] == []


def test_stats_and_aliases_each_get_a_step(client: TestClient) -> None:
    grouped = "complaintStats(groupBy: [STATUS]) { total { count } }"
    steps = plan_of(client, f"{{ a: {grouped} b: {grouped} }}", REGENCY)
    assert [(s["path"], s["groupBy"], s["exact"]) for s in steps] == [
        ("a", ["STATUS"], False),
        ("b", ["STATUS"], False),
    ]


def test_no_plan_unless_asked(client: TestClient) -> None:
    assert "extensions" not in ask(client, PAGE, REGENCY)
    assert "extensions" not in ask(client, PAGE, REGENCY, extensions={"plan": "yes"})


def test_the_plan_command_prints_the_plan(
    registry_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(
        f'[gateway]\nmode = "demo"\nregistry = "{registry_file}"\njwt_secret = "{SECRET}"\n'
        f'audit_url = "sqlite+aiosqlite:///{tmp_path / "audit.db"}"\n',
        encoding="utf-8",
    )
    main(["plan", "--config", str(config), "--token", token_for(**REGENCY), PAGE])
    printed = json.loads(capsys.readouterr().out)
    assert printed["plan"][0]["sources"] == ["reg-12.71"]
    assert "errors" not in printed


def test_a_lookup_names_its_source_only_for_a_complaint_the_caller_may_see(
    client: TestClient,
) -> None:
    national = {"tier": "NATIONAL", "role": "ANALYST"}
    listing = "{ complaints(first: 100) { edges { node { id isConfidential verifiedAt } } } }"
    nodes = [edge["node"] for edge in ask(client, listing, national)["data"]["complaints"]["edges"]]
    hidden = next(node["id"] for node in nodes if node["isConfidential"] is not False)
    published = next(
        node["id"] for node in nodes if node["isConfidential"] is False and node["verifiedAt"]
    )
    lookup = "query($id: ID!) { complaint(id: $id) { id } }"
    (seen,) = plan_of(client, lookup, national, variables={"id": hidden})
    assert len(seen["sources"]) == 1
    # The public may not see it: no source named, and no complaint.
    (unseen,) = plan_of(client, lookup, None, variables={"id": hidden})
    assert unseen["sources"] == []
    body = ask(client, lookup, None, variables={"id": hidden}, extensions={"plan": True})
    assert body["data"]["complaint"] is None
    (public,) = plan_of(client, lookup, None, variables={"id": published})
    assert len(public["sources"]) == 1
