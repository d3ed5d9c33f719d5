"""The complaint owner index on SQLite and PostgreSQL: the latest move wins, and only moved
complaints are in it."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.federation.owners import OwnerIndex
from tests.conftest import POSTGRES_URL, fresh_postgres_schema, require_postgres

AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
async def index(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OwnerIndex]:
    if request.param == "sqlite":
        owners = OwnerIndex(f"sqlite+aiosqlite:///{tmp_path / 'owners.db'}")
    else:
        require_postgres()
        owners = OwnerIndex(POSTGRES_URL, engine=await fresh_postgres_schema("t_owners"))
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
