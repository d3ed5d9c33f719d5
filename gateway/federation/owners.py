"""Where a complaint is handled now, for the complaints that changed owning source.

A complaint's local id names the region it was first handled in (`home_region`), so a lookup
by id goes straight to that region's source. A transfer to an agency of another source moves
the complaint, and its id must keep working: clients keep ids, and the id is sealed, so it
cannot be reissued. The owner index records the region now handling each moved complaint. It
is read only for ids their home source did not answer (or that the caller may not look up at
home), so a lookup of a complaint that never moved costs nothing more, and a source outside
the caller's scope is still never asked: the index is the gateway's, not a source's.

The index lives in its own database (SQLite or PostgreSQL, `owner_index_url`), shared by every
gateway replica. A move is recorded by the transfer that makes it, before the complaint leaves
its old source, so a reader never finds the complaint in neither place.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Column, DateTime, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.errors import SourceUnavailableError

OWNER_INDEX_ID = "owner-index"
"""The `extensions.source` of an error when the index could not be read."""

_metadata = MetaData()
owners_table = Table(
    "complaint_owner",
    _metadata,
    Column("complaint_id", String, primary_key=True),
    Column("region_code", String, nullable=False),
    Column("moved_at", DateTime(timezone=True), nullable=False),
)


class OwnerIndex:
    """Moved complaints' current handling regions, in their own database."""

    def __init__(self, url: str, engine: AsyncEngine | None = None) -> None:
        self.engine = engine or create_async_engine(url)

    async def open(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(_metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()

    async def regions_of(self, complaint_ids: Iterable[str]) -> dict[str, str]:
        """The current handling region of each moved complaint among `complaint_ids` (those
        that never moved are absent); SOURCE_UNAVAILABLE when the index cannot be read."""
        ids = sorted(set(complaint_ids))
        if not ids:
            return {}
        columns = owners_table.c
        statement = select(columns.complaint_id, columns.region_code).where(
            columns.complaint_id.in_(ids)
        )
        try:
            async with self.engine.connect() as connection:
                rows = (await connection.execute(statement)).all()
        except Exception:  # any driver failure: the index is unavailable
            raise SourceUnavailableError("source unavailable", source=OWNER_INDEX_ID) from None
        return {str(complaint_id): str(region) for complaint_id, region in rows}

    async def record_move(self, complaint_id: str, region_code: str, at: datetime) -> None:
        """`complaint_id` is handled in `region_code` from `at` on (a later move replaces an
        earlier one)."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        values = {"complaint_id": complaint_id, "region_code": region_code, "moved_at": at}
        statement = dialect.insert(owners_table).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=[owners_table.c.complaint_id],
            set_={"region_code": region_code, "moved_at": at},
        )
        async with self.engine.begin() as connection:
            await connection.execute(statement)
