"""Rollups of a source's complaints: what they hold, and how they are built and checked.

Two rollups are kept next to the complaint table (`gateway.sources.models`): per day and every
groupable column (`complaint_rollup_day`), and per month, handling region, tier and status
(`complaint_rollup_month`, tens of times smaller). Each group holds its complaints' count and
record-key sum, so the cell key method works on them as on raw rows, and the count and key sum
of those finished after their deadline. Whether an *open* complaint is overdue changes with
the clock, so open complaints are grouped by their deadline too and compared with the clock
when asked (`gateway.sources.sql_stats`): the answer is the same as over raw rows whatever
the time, at the cost of about one rollup row per open complaint.

Rollups are rebuilt from the complaint table in one transaction (`rebuild`: by the seed and
`lapor-gateway rollup rebuild`) and checked against it (`verify`: `lapor-gateway rollup
verify`). The write path to come must update them in the transaction of each write.
"""

from collections import Counter
from enum import Enum
from typing import Any

from sqlalchemy import Date, Table, and_, case, cast, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.sources.models import DayRollupRow, MonthRollupRow
from gateway.sources.sql_filters import complaint

_GROUP_COLUMNS = (
    "submitted_year",
    "submitted_month",
    "province_code",
    "regency_code",
    "tier",
    "status",
)
_DAY_COLUMNS = ("agency_code", "category_code", "type", "channel")


class Grain(Enum):
    """A rollup, by the period of its groups."""

    DAY = "DAY"
    MONTH = "MONTH"

    @property
    def table(self) -> Table:
        return _TABLES[self]


_TABLES: dict[Grain, Table] = {
    Grain.DAY: DayRollupRow.__table__,  # type: ignore[attr-defined]
    Grain.MONTH: MonthRollupRow.__table__,  # type: ignore[attr-defined]
}


def rebuild_statements(dialect: str) -> list[Any]:
    """Empty both rollups and fill them from the complaint table."""
    statements: list[Any] = []
    for grain in Grain:
        names, source = _grouped_complaints(grain, dialect)
        statements += [delete(grain.table), insert(grain.table).from_select(names, source)]
    return statements


async def rebuild(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for statement in rebuild_statements(engine.dialect.name):
            await connection.execute(statement)


async def verify(engine: AsyncEngine) -> dict[Grain, int]:
    """Groups on which each rollup disagrees with the complaint table (0: in step)."""
    async with engine.connect() as connection:
        return {grain: await _mismatches(connection, grain) for grain in Grain}


async def _mismatches(connection: AsyncConnection, grain: Grain) -> int:
    names, source = _grouped_complaints(grain, connection.dialect.name)
    stored = select(*(grain.table.c[name] for name in names))
    expected = Counter(_normal(row) for row in (await connection.execute(source)).all())
    actual = Counter(_normal(row) for row in (await connection.execute(stored)).all())
    return sum(((expected - actual) + (actual - expected)).values())


def _normal(row: Any) -> tuple[str, ...]:
    """Rows of both queries compared as text: SQLite's date() is text where a Date column is
    not, and booleans come back as 0/1 or as True/False."""
    return tuple(str(int(value) if isinstance(value, bool) else value) for value in row)


def _grouped_complaints(grain: Grain, dialect: str) -> tuple[list[str], Any]:
    """The rollup's column names, and the SELECT over the complaint table that fills them."""
    verified = complaint.verified_at.is_not(None)
    published = and_(verified, complaint.is_confidential.is_(False))
    late = and_(
        complaint.finished_at.is_not(None),
        complaint.completion_due_at < complaint.finished_at,
    )
    groups: list[tuple[str, Any]] = [(name, complaint[name]) for name in _GROUP_COLUMNS]
    open_deadline = case((complaint.finished_at.is_(None), complaint.completion_due_at))
    groups += [("verified", verified), ("published", published), ("due_at", open_deadline)]
    if grain is Grain.DAY:
        day = (
            func.date(complaint.submitted_at)
            if dialect == "sqlite"
            else cast(complaint.submitted_at, Date)
        )
        groups += [("submitted_on", day), *((name, complaint[name]) for name in _DAY_COLUMNS)]
    measures: list[tuple[str, Any]] = [
        ("complaints", func.count()),
        ("record_keys", func.sum(complaint.record_key)),
        ("late", func.sum(case((late, 1), else_=0))),
        ("late_keys", func.sum(case((late, complaint.record_key), else_=0))),
    ]
    columns = [*groups, *measures]
    source = select(*(expression.label(name) for name, expression in columns))
    return [name for name, _ in columns], source.group_by(*(expression for _, expression in groups))
