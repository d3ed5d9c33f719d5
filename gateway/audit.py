"""The reporter access log: who read which reporter's identity, when, in which request.

Append-only by construction: the gateway only ever inserts, and the database itself refuses
UPDATE and DELETE on the table (triggers on SQLite and PostgreSQL), so an entry once written
stays. Entries carry no personal data of the reporter, only the complaint's id.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.principal import Principal

_metadata = MetaData()
access_table = Table(
    "reporter_access",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("request_id", String, nullable=False),
    Column("subject", String, nullable=True),
    Column("tier", String, nullable=False),
    Column("region", String, nullable=True),
    Column("agency", String, nullable=True),
    Column("role", String, nullable=True),
    Column("complaint_id", String, nullable=False, index=True),
    Column("source_id", String, nullable=False),
)

_SQLITE_GUARDS = [
    f"CREATE TRIGGER IF NOT EXISTS reporter_access_no_{verb.lower()} BEFORE {verb} "
    "ON reporter_access BEGIN SELECT RAISE(ABORT, 'reporter_access is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_GUARDS = [
    """CREATE OR REPLACE FUNCTION reporter_access_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'reporter_access is append-only'; END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS reporter_access_append_only ON reporter_access",
    """CREATE TRIGGER reporter_access_append_only BEFORE UPDATE OR DELETE OR TRUNCATE
       ON reporter_access FOR EACH STATEMENT EXECUTE FUNCTION reporter_access_append_only()""",
]


@dataclass(frozen=True, slots=True)
class AccessEntry:
    at: datetime
    request_id: str
    subject: str | None
    tier: str
    region: str | None
    agency: str | None
    role: str | None
    complaint_id: str
    source_id: str
    id: int | None = None


def entry_for(
    principal: Principal, request_id: str, at: datetime, complaint_id: str, source_id: str
) -> AccessEntry:
    return AccessEntry(
        at=at,
        request_id=request_id,
        subject=principal.subject,
        tier=principal.tier.value,
        region=principal.region,
        agency=principal.agency,
        role=principal.role.value if principal.role else None,
        complaint_id=complaint_id,
        source_id=source_id,
    )


class AccessLog:
    """The append-only log in its own database (SQLite or PostgreSQL)."""

    def __init__(self, url: str, engine: AsyncEngine | None = None) -> None:
        self.engine = engine or create_async_engine(url)

    async def open(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_metadata.create_all)
            guards = (
                _POSTGRES_GUARDS if self.engine.dialect.name == "postgresql" else _SQLITE_GUARDS
            )
            for statement in guards:
                await connection.execute(text(statement))

    async def close(self) -> None:
        await self.engine.dispose()

    async def record(self, entries: Sequence[AccessEntry]) -> None:
        """Write entries in one transaction; raises if they could not be written."""
        if not entries:
            return
        rows = [
            {name: getattr(entry, name) for name in AccessEntry.__slots__ if name != "id"}
            for entry in entries
        ]
        async with self.engine.begin() as connection:
            await connection.execute(insert(access_table), rows)

    async def read(
        self,
        *,
        limit: int,
        before_id: int | None = None,
        complaint_id: str | None = None,
        subject: str | None = None,
    ) -> list[AccessEntry]:
        """Newest first, keyset-paged by id."""
        columns = access_table.c
        statement = select(*columns).order_by(columns.id.desc()).limit(limit)
        if before_id is not None:
            statement = statement.where(columns.id < before_id)
        if complaint_id is not None:
            statement = statement.where(columns.complaint_id == complaint_id)
        if subject is not None:
            statement = statement.where(columns.subject == subject)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [AccessEntry(**row) for row in rows]
