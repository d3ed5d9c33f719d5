"""Edge fixtures: gateways over the small SQLite world, in demo and in production mode.

`edge_app(**settings)` builds a TestClient for any edge settings (each test states the limits
it is about); `production` is a production-mode gateway (JWKS tokens, introspection and
suggestions off) whose SQL statements are counted, so a test can prove that a refused request
never reached a source.
"""

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.federation.ids import demo_node_id_key
from gateway.registry import write_registry
from gateway.settings import GatewaySettings
from tests.conftest import SECRET, StatementCounter, _build_sources
from tests.unit.test_keys import RSA_KEY, public_jwk, sign, write_jwks

ISSUER = "https://sso.example.go.id/realms/lapor"
GRAPHQL_RESPONSE = "application/graphql-response+json"
SECONDS = 2.0
"""Every refusal here must come back well within this (they take milliseconds)."""


@pytest.fixture(autouse=True)
def no_lapor_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("LAPOR_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def edge_registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("edge")
    configs = asyncio.run(_build_sources("sqlite", tmp))
    path = tmp / "registry.toml"
    write_registry(path, configs)
    return path


@pytest.fixture(scope="session")
def jwks_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jwks(tmp_path_factory.mktemp("jwks") / "jwks.json", public_jwk(RSA_KEY, "k1"))


def production_token(subject: str = "analyst-1", **claims: Any) -> str:
    now = int(time.time())
    return sign(
        RSA_KEY,
        "k1",
        {
            "iss": ISSUER,
            "aud": "lapor-gateway",
            "sub": subject,
            "exp": now + 600,
            "iat": now,
            "tier": "NATIONAL",
            **claims,
        },
    )


EdgeApp = Callable[..., TestClient]


@pytest.fixture
def edge_app(edge_registry: Path, jwks_file: Path) -> Iterator[EdgeApp]:
    """A factory of started TestClients; `production=True` for production mode, `client` the
    peer address the app sees."""
    with contextlib.ExitStack() as stack:

        def build(
            *,
            production: bool = False,
            client: tuple[str, int] = ("testclient", 50000),
            **overrides: Any,
        ) -> TestClient:
            auth: dict[str, Any] = (
                {
                    "mode": "production",
                    "jwt_jwks_file": jwks_file,
                    "jwt_issuer": ISSUER,
                    "node_id_key_file": demo_node_id_key(edge_registry.parent),
                }
                if production
                else {"mode": "demo", "jwt_secret": SECRET}
            )
            settings = GatewaySettings(
                registry=edge_registry, **{"rate_limit_per_minute": 0, **auth, **overrides}
            )
            return stack.enter_context(TestClient(create_app(settings), client=client))

        yield build


@pytest.fixture(scope="module")
def production(edge_registry: Path, jwks_file: Path) -> Iterator[TestClient]:
    settings = GatewaySettings(
        mode="production",
        registry=edge_registry,
        jwt_jwks_file=jwks_file,
        jwt_issuer=ISSUER,
        node_id_key_file=demo_node_id_key(edge_registry.parent),
        rate_limit_per_minute=0,
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture(scope="module")
def statements(production: TestClient) -> StatementCounter:
    return StatementCounter(production.app.state.federation)  # type: ignore[attr-defined]


def post(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    accept: str = GRAPHQL_RESPONSE,
    token: str | None = None,
    **extra: Any,
) -> Any:
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body: dict[str, Any] = {"query": query, **extra}
    if variables is not None:
        body["variables"] = variables
    return client.post("/graphql", json=body, headers=headers)


def codes(response: Any) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]
