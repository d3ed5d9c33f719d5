"""One source, three ways: `SqlSource` on SQLite, `SqlSource` on PostgreSQL, and
`RemoteSource` calling a real source service (uvicorn on 127.0.0.1) over the SQLite file.

Every test of the suite runs on each backend and compares with the oracle of `world.py` and
with the reference (SQLite `SqlSource`) answer: the same inputs must give the same records.
"""

from collections.abc import AsyncIterator

import pytest

from gateway.registry import SourceConfig
from gateway.service.app import create_service_app
from gateway.sources.base import Source
from gateway.sources.remote import RemoteSource
from gateway.sources.sql import SqlSource, create_source_engine
from tests.conftest import POSTGRES_URL, fresh_postgres_schema, require_postgres
from tests.contract.world import COVERS, SOURCE_ID, build_world, write_contract_world
from tests.factories import SourceWorld
from tests.service.harness import make_key_pair, running_service, service_settings

BACKENDS = ["sqlite", "postgres", "remote"]
PG_SCHEMA = "t_contract_prov_12"


@pytest.fixture(scope="session")
def world() -> SourceWorld:
    return build_world()


@pytest.fixture(scope="session")
async def sqlite_config(
    world: SourceWorld, tmp_path_factory: pytest.TempPathFactory
) -> SourceConfig:
    path = tmp_path_factory.mktemp("contract") / "prov-12.db"
    config = SourceConfig(SOURCE_ID, "sql", f"sqlite+aiosqlite:///{path}", COVERS)
    engine = create_source_engine(config)
    await write_contract_world(engine, world)
    await engine.dispose()
    return config


@pytest.fixture(scope="session")
async def reference(sqlite_config: SourceConfig) -> AsyncIterator[SqlSource]:
    """The answers every backend must give: SqlSource on the SQLite file."""
    source = SqlSource(sqlite_config)
    yield source
    await source.close()


async def postgres_config(world: SourceWorld, schema: str = PG_SCHEMA) -> SourceConfig:
    """The contract world written into a fresh PostgreSQL schema."""
    await (await fresh_postgres_schema(schema)).dispose()
    config = SourceConfig(SOURCE_ID, "sql", POSTGRES_URL, COVERS, schema=schema)
    engine = create_source_engine(config)
    await write_contract_world(engine, world)
    await engine.dispose()
    return config


@pytest.fixture(scope="session", params=BACKENDS)
async def source(
    request: pytest.FixtureRequest,
    world: SourceWorld,
    sqlite_config: SourceConfig,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Source]:
    backend: str = request.param
    if backend == "sqlite":
        sql = SqlSource(sqlite_config)
        yield sql
        await sql.close()
    elif backend == "postgres":
        require_postgres()
        sql = SqlSource(await postgres_config(world))
        yield sql
        await sql.close()
    else:
        keys = make_key_pair(tmp_path_factory.mktemp("contract-keys"))
        app = create_service_app(service_settings(sqlite_config, keys.public))
        with running_service(app) as url:
            remote = RemoteSource(
                SourceConfig(SOURCE_ID, "remote", url, COVERS, timeout=10.0), keys.signer()
            )
            await remote.open()
            yield remote
            await remote.close()
