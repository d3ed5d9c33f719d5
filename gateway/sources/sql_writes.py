"""A SQL source's writes: one `ComplaintChange` in one transaction (`gateway.sources.changes`).

The complaint's row is read and locked (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite has one
writer at a time) under the caller's row scope, its version compared, then updated with the
version in the `WHERE` clause as well, so two writers holding the same version cannot both
succeed whatever the isolation level. The status event and the rollup groups move in the same
transaction, so a reader sees all of the change or none of it.
"""

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.policy import ComplaintFacts, RowScope, row_visible
from gateway.sources.changes import ChangeOutcome, ChangeResult, ComplaintChange
from gateway.sources.models import ComplaintRow, StatusEventRow
from gateway.sources.rollup import record_change
from gateway.sources.sql_filters import scope_predicate

_complaints = ComplaintRow.__table__  # type: ignore[attr-defined]
_events = StatusEventRow.__table__  # type: ignore[attr-defined]


async def apply_change(
    engine: AsyncEngine, change: ComplaintChange, scope: RowScope
) -> ChangeOutcome:
    if scope.published_only:  # the public's scope: it reads published complaints, writes none
        return ChangeOutcome(ChangeResult.NOT_FOUND)
    async with engine.begin() as connection:
        before = await _locked_row(connection, change.complaint_id, scope)
        if before is None:
            return ChangeOutcome(ChangeResult.NOT_FOUND)
        if before["version"] != change.expected_version:
            return _conflict(before)
        values: dict[str, Any] = {**dict(change.values), "version": change.expected_version + 1}
        after = {**before, **values}
        if not row_visible(scope, _facts(after)):
            return ChangeOutcome(ChangeResult.OUT_OF_SCOPE, before["version"], before["status"])
        updated = await connection.execute(
            update(_complaints)
            .where(
                _complaints.c.id == change.complaint_id,
                _complaints.c.version == change.expected_version,
            )
            .values(values)
        )
        if updated.rowcount != 1:  # another writer got there between the read and the update
            current = await _locked_row(connection, change.complaint_id, scope)
            return _conflict(current) if current else ChangeOutcome(ChangeResult.NOT_FOUND)
        if change.new_status is not None and change.new_status != before["status"]:
            await connection.execute(
                insert(_events).values(
                    complaint_id=change.complaint_id,
                    from_status=before["status"],
                    to_status=change.new_status,
                    at=change.at,
                    actor_agency=change.actor_agency,
                    note=change.note,
                )
            )
        await record_change(connection, dict(before), after)
    return ChangeOutcome(ChangeResult.APPLIED, values["version"], after["status"])


async def _locked_row(
    connection: AsyncConnection, complaint_id: str, scope: RowScope
) -> RowMapping | None:
    statement = select(_complaints).where(_complaints.c.id == complaint_id, scope_predicate(scope))
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update()
    return (await connection.execute(statement)).mappings().first()


def _facts(row: dict[str, Any]) -> ComplaintFacts:
    return ComplaintFacts(
        region_code=row["region_code"],
        agency_code=row["agency_code"],
        status=row["status"],
        verified=row["verified_at"] is not None,
        is_anonymous=row["is_anonymous"],
        is_confidential=row["is_confidential"],
    )


def _conflict(current: RowMapping) -> ChangeOutcome:
    return ChangeOutcome(ChangeResult.VERSION_CONFLICT, current["version"], current["status"])
