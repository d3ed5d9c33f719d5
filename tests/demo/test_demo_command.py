"""`lapor-gateway demo` as a user runs it: a real process serving GraphiQL and the API."""

import httpx


def test_demo_serves_graphiql_and_demo_identities(demo_server: str) -> None:
    page = httpx.get(f"{demo_server}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    identities = httpx.get(f"{demo_server}/graphql/demo-tokens").json()
    assert [identity["label"] for identity in identities] == [
        "National analyst",
        "Provincial staff — Sumatera Utara (12)",
        "Regency operator — Kota Medan (12.71)",
        "Public (no token)",
    ]


def test_demo_identity_tokens_are_accepted(demo_server: str) -> None:
    identities = httpx.get(f"{demo_server}/graphql/demo-tokens").json()
    tiers = []
    for identity in identities:
        headers = {"Authorization": f"Bearer {identity['token']}"} if identity["token"] else {}
        response = httpx.post(
            f"{demo_server}/graphql",
            json={"query": "{ viewer { tier region } }"},
            headers=headers,
        )
        assert response.status_code == 200
        tiers.append(response.json()["data"]["viewer"])
    assert tiers == [
        {"tier": "NATIONAL", "region": None},
        {"tier": "PROVINCIAL", "region": "12"},
        {"tier": "REGENCY", "region": "12.71"},
        {"tier": "PUBLIC", "region": None},
    ]
