"""The reporter access log is append-only in the database itself, on SQLite and PostgreSQL."""

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from gateway.audit import AccessLog, entry_for
from gateway.domain import PrincipalTier, Role
from gateway.principal import Principal
from tests.conftest import POSTGRES_URL, fresh_postgres_schema, require_postgres

OPERATOR = Principal(PrincipalTier.REGENCY, "op-1", "12.71", "12.71-DINKES", Role.OPERATOR)


@pytest.fixture(params=["sqlite", "postgres"])
async def access_log(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AccessLog]:
    if request.param == "sqlite":
        log = AccessLog(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    else:
        require_postgres()
        log = AccessLog(POSTGRES_URL, engine=await fresh_postgres_schema("t_audit"))
    await log.open()
    yield log
    await log.close()


async def test_entries_are_written_and_read_newest_first(access_log: AccessLog) -> None:
    at = datetime(2026, 11, 30, 9, 0)
    await access_log.record([entry_for(OPERATOR, "req-1", at, "C1", "reg-12.71")])
    await access_log.record([entry_for(OPERATOR, "req-2", at, "C2", "reg-12.71")])
    entries = await access_log.read(limit=10)
    assert [(e.request_id, e.complaint_id) for e in entries] == [("req-2", "C2"), ("req-1", "C1")]
    assert entries[0].subject == "op-1"
    assert entries[0].role == "OPERATOR"
    (only,) = await access_log.read(limit=10, complaint_id="C1")
    assert only.request_id == "req-1"
    assert await access_log.read(limit=10, before_id=entries[1].id) == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE reporter_access SET subject = 'someone else'", "DELETE FROM reporter_access"],
)
async def test_entries_cannot_be_changed_or_deleted(access_log: AccessLog, statement: str) -> None:
    await access_log.record([entry_for(OPERATOR, "req-1", datetime(2026, 1, 1), "C1", "s")])
    with pytest.raises(DBAPIError, match="append-only"):
        async with access_log.engine.begin() as connection:
            await connection.execute(text(statement))
    (entry,) = await access_log.read(limit=10)
    assert entry.subject == "op-1"


async def test_opening_twice_keeps_the_guards_and_the_entries(access_log: AccessLog) -> None:
    await access_log.record([entry_for(OPERATOR, "req-1", datetime(2026, 1, 1), "C1", "s")])
    await access_log.open()
    assert len(await access_log.read(limit=10)) == 1
    with pytest.raises(DBAPIError, match="append-only"):
        async with access_log.engine.begin() as connection:
            await connection.execute(text("DELETE FROM reporter_access"))
