"""The plan of a complaint root field is built once per document, kind of caller and
directive switches (`resolvers/plans.py`), and kept with the prepared document: later
requests act on it, and no caller ever acts on the plan of a caller who may read more."""

from typing import Any

import pytest
from starlette.testclient import TestClient

import resolvers.complaints
import resolvers.plans
from resolvers.plans import ComplaintsPlan
from tests.conftest import token_for

PAGE = """query Page($include: Boolean!) { complaints(first: 5) { totalCount edges { node {
  id title trackingId handlingAgency @include(if: $include) { name } } } } }"""
NATIONAL = {"tier": "NATIONAL", "role": "ANALYST"}
PROVINCIAL = {"tier": "PROVINCIAL", "region": "12", "role": "ANALYST"}


def ask(
    client: TestClient, caller: dict[str, Any] | None, include: bool, query: str = PAGE
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token_for(**caller)}"} if caller else {}
    response = client.post(
        "/graphql",
        json={"query": query, "variables": {"include": include}, "extensions": {"plan": True}},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[ComplaintsPlan]:
    built: list[ComplaintsPlan] = []
    original = resolvers.plans.complaints_plan

    def counting(*args: Any) -> ComplaintsPlan:
        plan = original(*args)
        built.append(plan)
        return plan

    monkeypatch.setattr(resolvers.complaints, "complaints_plan", counting)
    return built


def test_a_plan_is_built_once_and_acted_on_after(
    client: TestClient, builds: list[ComplaintsPlan]
) -> None:
    # A document no other test sends: its plan cannot have been built before.
    fresh = PAGE.replace("query Page(", "query PageBuiltOnce(")
    first = ask(client, NATIONAL, True, fresh)
    again = ask(client, NATIONAL, True, fresh)
    assert again["data"] == first["data"]
    assert again["extensions"] == first["extensions"]
    # Another caller reading the same fields shares it: national and provincial staff alike.
    ask(client, PROVINCIAL, True, fresh)
    assert len(builds) == 1
    # The public reads fewer fields: a plan of its own.
    ask(client, None, True, fresh)
    assert len(builds) == 2


def test_the_public_never_acts_on_an_officials_plan(client: TestClient) -> None:
    official = ask(client, NATIONAL, True)
    public = ask(client, None, True)
    (step,) = public["extensions"]["plan"]
    assert step["withheld"] == ["trackingId"]
    assert "tracking_id" not in step["columns"]
    assert all(edge["node"]["trackingId"] is None for edge in public["data"]["complaints"]["edges"])
    assert any(edge["node"]["trackingId"] for edge in official["data"]["complaints"]["edges"])
    # And the other way round: the officials' plan is not the public's.
    assert ask(client, NATIONAL, True)["extensions"] == official["extensions"]


def test_a_directive_switch_is_part_of_the_plan(client: TestClient) -> None:
    with_agency = ask(client, NATIONAL, True)
    without = ask(client, NATIONAL, False)
    assert "agency" in with_agency["extensions"]["plan"][0]["relations"]
    assert "agency" not in without["extensions"]["plan"][0]["relations"]
    assert "handlingAgency" not in without["data"]["complaints"]["edges"][0]["node"]
    assert with_agency["data"]["complaints"]["edges"][0]["node"]["handlingAgency"]["name"]


ALIASES = """query Aliased($include: Boolean!) {
  open: complaints(first: 3) { edges { node { id trackingId @include(if: $include) } } }
  shown: complaints(first: 3) { edges { node { id title incidentDate } } }
}"""


def test_each_alias_has_its_own_plan_for_each_caller(client: TestClient) -> None:
    """Two aliases of one field in one document, asked by the public then by an official and
    by the public again: each alias's withheld fields are its own, and the public's stay
    withheld after an official's request filled the cache."""
    for caller in (None, NATIONAL, None):
        body = ask(client, caller, True, ALIASES)
        steps = {step["path"]: step for step in body["extensions"]["plan"]}
        public = caller is None
        assert steps["open"]["withheld"] == (["trackingId"] if public else [])
        assert steps["shown"]["withheld"] == (["incidentDate"] if public else [])
        assert "title" not in steps["open"]["columns"]
        assert "tracking_id" not in steps["shown"]["columns"]
        nodes = body["data"]["shown"]["edges"]
        assert all((node["node"]["incidentDate"] is None) is public for node in nodes)
