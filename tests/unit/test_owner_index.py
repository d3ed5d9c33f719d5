"""The complaint owner index on SQLite and PostgreSQL: the latest move wins, and only moved
complaints are in it."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.federation.owners import OwnerIndex
from tests.conftest import POSTGRES_URL, require_postgres

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
async def index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OwnerIndex]:
    if request.param == "sqlite":
        owners = OwnerIndex(f"sqlite+aiosqlite:///{tmp_path / 'owners.db'}")
    else:
        require_postgres()
        admin = create_async_engine(POSTGRES_URL)
        async with admin.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS t_owners CASCADE"))
            await connection.execute(text("CREATE SCHEMA t_owners"))
        await admin.dispose()
        engine = create_async_engine(
            POSTGRES_URL, connect_args={"server_settings": {"search_path": "t_owners"}}
        )
        owners = OwnerIndex(POSTGRES_URL, engine=engine)
    await owners.open()
    yield owners
    await owners.close()


async def test_the_latest_move_wins(index: OwnerIndex) -> None:
    await index.record_move("12.71-0000001", "12.72", AT)
    await index.record_move("12.71-0000002", "31.71", AT)
    await index.record_move("12.71-0000001", "12", AT)
    assert await index.regions_of(["12.71-0000001", "12.71-0000002", "12.71-0000003"]) == {
        "12.71-0000001": "12",
        "12.71-0000002": "31.71",
    }
    assert await index.regions_of([]) == {}


async def test_opening_twice_keeps_the_moves(index: OwnerIndex) -> None:
    await index.record_move("12.71-0000001", "12.72", AT)
    await index.open()  # a restart, or a second replica
    assert await index.regions_of(["12.71-0000001"]) == {"12.71-0000001": "12.72"}
