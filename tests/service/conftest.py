"""A source service over the contract world (SQLite), in process, and tokens of every kind."""

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from starlette.testclient import TestClient

from gateway.policy import EVERYTHING, RowScope
from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from gateway.source_tokens import ScopeClaim, SourceTokenSigner, encode_scope, load_private_key
from gateway.sources.sql import create_source_engine
from tests.contract.world import COVERS, SOURCE_ID, build_world, write_contract_world
from tests.factories import SourceWorld
from tests.service.harness import KeyPair, make_key_pair, service_settings


@pytest.fixture(scope="session")
def service_world() -> SourceWorld:
    return build_world()


@pytest.fixture(scope="session")
def service_db(
    service_world: SourceWorld, tmp_path_factory: pytest.TempPathFactory
) -> SourceConfig:
    path = tmp_path_factory.mktemp("service") / "prov-12.db"
    config = SourceConfig(SOURCE_ID, "sql", f"sqlite+aiosqlite:///{path}", COVERS)

    async def write() -> None:
        engine = create_source_engine(config)
        await write_contract_world(engine, service_world)
        await engine.dispose()

    asyncio.run(write())
    return config


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_key_pair(tmp_path_factory.mktemp("gateway-keys"))


@pytest.fixture(scope="session")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_key_pair(tmp_path_factory.mktemp("other-keys"))


@pytest.fixture(scope="session")
def service(service_db: SourceConfig, keys: KeyPair) -> Iterator[TestClient]:
    app = create_service_app(service_settings(service_db, keys.public))
    with TestClient(app) as client:
        yield client


Mint = Callable[..., str]


@pytest.fixture(scope="session")
def mint(keys: KeyPair) -> Mint:
    """A token as the gateway signs it for `rows` (stats: `split_rows`), with any claim
    changed (None removes it)."""
    signer = SourceTokenSigner.from_file(keys.private)

    def make(
        rows: RowScope = EVERYTHING,
        split_rows: RowScope | None = None,
        *,
        key: Path | None = None,
        headers: dict[str, Any] | None = None,
        algorithm: str = "ES256",
        **changes: Any,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "lapor-gateway",
            "aud": SOURCE_ID,
            "iat": now,
            "exp": now + 30,
            "scope": encode_scope(ScopeClaim(rows, split_rows)),
        }
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        signing_key: Any = load_private_key(key or keys.private)
        if algorithm == "HS256":
            signing_key = "x" * 64
        return jwt.encode(
            claims, signing_key, algorithm=algorithm, headers={"kid": signer.kid, **(headers or {})}
        )

    return make


Call = Callable[..., Any]


@pytest.fixture(scope="session")
def call(service: TestClient) -> Call:
    """POST a document with a bearer token (or none); returns the response."""

    def run(query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return service.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    return run
