"""A gateway over the disclosure world, and callers to attack it with."""

import asyncio
import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.registry import write_registry
from gateway.settings import GatewaySettings
from tests.conftest import SECRET, token_for
from tests.disclosure.world import OWN, Truth, build_worlds
from tests.factories import write_sqlite_sources


class Ask(Protocol):
    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, tier: str = ...
    ) -> dict[str, Any]: ...


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("disclosure")
    path = tmp / "registry.toml"
    write_registry(path, asyncio.run(write_sqlite_sources(build_worlds(), tmp)))
    return path


FIXED_KEY = base64.urlsafe_b64encode(bytes(range(64))).decode()
"""The gateway's secret, fixed here so that every run draws the same noise: the attack scores
are then the same in every run, not a draw of their own."""


def gateway_settings(registry: Path, **overrides: Any) -> GatewaySettings:
    key_file = registry.parent / "fixed-node-id-key"
    key_file.write_text(FIXED_KEY, encoding="ascii")
    return GatewaySettings(
        mode="demo",
        registry=registry,
        jwt_secret=SECRET,
        node_id_key_file=key_file,
        audit_url=f"sqlite+aiosqlite:///{registry.parent / 'audit.db'}",
        rate_limit_per_minute=0,
        **overrides,
    )


@pytest.fixture(scope="module")
def truth() -> Truth:
    return Truth(row for _, world in build_worlds().values() for row in world.complaints)


def asker(client: TestClient) -> Ask:
    def ask(query: str, variables: dict[str, Any] | None = None, *, tier: str = "REGENCY") -> Any:
        headers = {}
        if tier == "REGENCY":
            headers["Authorization"] = f"Bearer {token_for('REGENCY', OWN, 'ANALYST')}"
        elif tier == "NATIONAL":
            headers["Authorization"] = f"Bearer {token_for('NATIONAL', None, 'ANALYST')}"
        response = client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    return ask


@pytest.fixture(scope="module")
def ask(registry: Path) -> Iterator[Ask]:
    """A gateway without the daily cap: what the noise alone withstands."""
    settings = gateway_settings(registry, out_of_scope_buckets_per_day=0)
    with TestClient(create_app(settings)) as client:
        yield asker(client)
