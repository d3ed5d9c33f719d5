"""Shared fixtures: hand-made source worlds on SQLite and PostgreSQL, and clients per tier."""

import asyncio
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.domain import PrincipalTier, Role
from gateway.federation.ids import NodeIdCodec, demo_node_id_key
from gateway.federation.reads import Federation
from gateway.registry import SourceConfig, write_registry
from gateway.settings import GatewaySettings
from gateway.sources.sql import create_source_engine
from gateway.tokens import issue_demo_token
from tests.factories import SourceWorld, make_agency, make_complaint, write_world

POSTGRES_URL = os.environ.get(
    "LAPOR_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SECRET = "test-secret-" + "x" * 40


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    """Skip a PostgreSQL test where no server runs, with the reason; in CI (`CI=true`), where
    the server is started before the tests, fail instead."""
    if postgres_reachable():
        return
    reason = "PostgreSQL is not reachable on 127.0.0.1:5432 (set LAPOR_TEST_POSTGRES_URL)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def small_world() -> dict[str, tuple[tuple[str, ...], SourceWorld]]:
    """Five sources: national, North Sumatra's province and two regencies, and Jakarta."""
    worlds: dict[str, tuple[tuple[str, ...], SourceWorld]] = {
        "national": (("NATIONAL",), SourceWorld(agencies=[make_agency(None, "KEMENKES")])),
        "prov-12": (("12",), SourceWorld(agencies=[make_agency("12")])),
        "reg-12.71": (("12.71",), SourceWorld(agencies=[make_agency("12.71")])),
        "reg-12.72": (("12.72",), SourceWorld(agencies=[make_agency("12.72")])),
        "prov-31": (("31",), SourceWorld(agencies=[make_agency("31"), make_agency("31.71")])),
    }
    worlds["national"][1].add(
        make_complaint(None, agency_code="KL-KEMENKES", incident_region="12.71") for _ in range(3)
    )
    worlds["prov-12"][1].add(make_complaint("12") for _ in range(4))
    worlds["reg-12.71"][1].add(make_complaint("12.71") for _ in range(30))
    worlds["reg-12.71"][1].add(
        [
            make_complaint("12.71", status="SUBMITTED"),
            make_complaint("12.71", is_confidential=True),
            make_complaint("12.71", is_confidential=None, is_anonymous=None),
        ]
    )
    worlds["reg-12.72"][1].add(make_complaint("12.72", status="IN_PROGRESS") for _ in range(6))
    worlds["reg-12.72"][1].add([make_complaint("12.72", status="ESCALATED", reporter_id=4)])
    worlds["prov-31"][1].add(make_complaint("31.71") for _ in range(5))
    add_reporters(worlds)
    # A journey across tiers: national admin -> province -> regency.
    first = worlds["reg-12.71"][1].complaints[0]["id"]
    worlds["reg-12.71"][1].dispositions += [
        {
            "complaint_id": first,
            "from_agency": "KL-KEMENKES",
            "to_agency": "12-DINKES",
            "at": make_complaint()["submitted_at"],
            "reason": "kewenangan provinsi",
        },
        {
            "complaint_id": first,
            "from_agency": "12-DINKES",
            "to_agency": "12.71-DINKES",
            "at": make_complaint()["submitted_at"],
            "reason": "kewenangan kota",
        },
    ]
    return worlds


REPORTERS = {
    1: "Budi Santoso",  # a plain complaint in 12.71
    2: "Siti Aminah",  # an anonymous complaint in 12.71 whose source still links a reporter
    3: "Rahmat Hidayat",  # a complaint in 12.71 with unknown flags
    4: "Dewi Lestari",  # an escalated complaint in 12.72
}


def add_reporters(worlds: dict[str, tuple[tuple[str, ...], SourceWorld]]) -> None:
    """Reporters in the sources that own them; some linked where policy must still say no."""
    medan = worlds["reg-12.71"][1]
    medan.complaints[1].update(reporter_id=1)
    medan.complaints[2].update(reporter_id=2, is_anonymous=True)
    unknown = next(c for c in medan.complaints if c["is_anonymous"] is None)
    unknown.update(reporter_id=3)
    for source_id, ids in (("reg-12.71", (1, 2, 3)), ("reg-12.72", (4,))):
        worlds[source_id][1].reporters += [
            {
                "id": i,
                "name": REPORTERS[i],
                "nik": f"127100000000000{i}",
                "phone": f"+62812000000{i}",
                "email": f"pelapor{i}@example.id",
            }
            for i in ids
        ]


async def _build_sources(backend: str, tmp: Path) -> list[SourceConfig]:
    configs = []
    for source_id, (covers, world) in small_world().items():
        if backend == "sqlite":
            config = SourceConfig(
                source_id, "sql", f"sqlite+aiosqlite:///{tmp / source_id}.db", covers
            )
        else:
            schema = "t_" + source_id.replace("-", "_").replace(".", "_")
            admin = create_async_engine(POSTGRES_URL)
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            await admin.dispose()
            config = SourceConfig(source_id, "sql", POSTGRES_URL, covers, schema=schema)
        engine = create_source_engine(config)
        await write_world(engine, world)
        await engine.dispose()
        configs.append(config)
    return configs


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def registry_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    backend: str = request.param
    if backend == "postgres":
        require_postgres()
    tmp = tmp_path_factory.mktemp(backend)
    configs = asyncio.run(_build_sources(backend, tmp))
    path = tmp / "registry.toml"
    write_registry(path, configs)
    return path


@pytest.fixture(scope="session")
def client(registry_file: Path) -> Iterator[TestClient]:
    settings = GatewaySettings(
        mode="demo",
        registry=registry_file,
        jwt_secret=SECRET,
        node_id_key_file=demo_node_id_key(registry_file.parent),
        audit_url=f"sqlite+aiosqlite:///{registry_file.parent / 'audit.db'}",
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def node_ids(registry_file: Path) -> NodeIdCodec:
    """The codec of the session `client`'s key: for ids only a key holder could make."""
    return NodeIdCodec.from_file(demo_node_id_key(registry_file.parent))


def token_for(
    tier: str, region: str | None = None, role: str | None = None, agency: str | None = None
) -> str:
    return issue_demo_token(
        SECRET,
        PrincipalTier(tier),
        region=region,
        agency=agency,
        role=Role(role) if role else None,
    )


async def fresh_postgres_schema(schema: str) -> AsyncEngine:
    """An engine whose search path is `schema`, dropped and created empty first."""
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return create_async_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )


GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def gql(client: TestClient) -> GraphQL:
    """Run a query as a tier; returns the JSON body (asserting HTTP 200)."""

    def run(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tier: str = "NATIONAL",
        region: str | None = None,
        role: str | None = None,
        agency: str | None = None,
    ) -> dict[str, Any]:
        headers = {}
        if tier != "PUBLIC":
            headers["Authorization"] = f"Bearer {token_for(tier, region, role, agency)}"
        response = client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


class StatementCounter:
    """Counts SQL statements per source, by listening on each source's engines (reads may run
    on an engine of their own; writes run on the source's engine)."""

    def __init__(self, federation: Federation) -> None:
        self.counts: dict[str, int] = {}
        for source_id, source in federation.sources.items():
            read = source.read_engine  # type: ignore[attr-defined]
            write = source.engine.sync_engine  # type: ignore[attr-defined]
            for engine in {id(read): read, id(write): write}.values():
                event.listen(engine, "before_cursor_execute", self._counter(source_id))

    def _counter(self, source_id: str) -> Callable[..., None]:
        def count(*_: Any) -> None:
            self.counts[source_id] = self.counts.get(source_id, 0) + 1

        return count

    def reset(self) -> None:
        self.counts.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@pytest.fixture(scope="session")
def statements(client: TestClient) -> StatementCounter:
    return StatementCounter(client.app.state.federation)  # type: ignore[attr-defined]
