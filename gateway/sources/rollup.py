"""Rollups of a source's complaints: what they hold, and how they are built and checked.

Two rollups are kept next to the complaint table (`gateway.sources.models`): per day and every
groupable column (`complaint_rollup_day`), and per month, handling region, tier and status
(`complaint_rollup_month`, tens of times smaller). Each group holds its complaints' count and
record-key sum, so the cell key method works on them as on raw rows, and the count and key sum
of those finished after their deadline. Whether an *open* complaint is overdue changes with
the clock, so open complaints are grouped by the month of their deadline too: when asked
(`gateway.sources.sql_stats`), those due before the current month are overdue, and the few due
within it are looked up in the complaint table, so the answer is the same as over raw rows
whatever the time.

Rollups are rebuilt from the complaint table in one transaction (`rebuild`: by the seed and
`lapor-gateway rollup rebuild`) and checked against it (`verify`: `lapor-gateway rollup
verify`). A write keeps them in step by calling `record_change` with the complaint's row
before and after, in the write's own transaction (`gateway.sources.sql_writes`), each group
it touches locked first on PostgreSQL, so concurrent writes never split a group in two.
"""

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    Date,
    Table,
    and_,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.schema import CreateIndex, CreateTable, DropTable

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
_MEASURES = ("complaints", "record_keys", "late", "late_keys")

Row = Mapping[str, Any]


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
    """Create both rollups afresh (so a database whose rollups have an older shape gets the
    current one) and fill them from the complaint table."""
    statements: list[Any] = []
    for grain in Grain:
        names, source = _grouped_complaints(grain, dialect)
        statements += [
            DropTable(grain.table, if_exists=True),
            CreateTable(grain.table),
            insert(grain.table).from_select(names, source),
            *(CreateIndex(index) for index in grain.table.indexes),
            text(f"ANALYZE {grain.table.name}"),  # the planner's statistics of the new table
        ]
    return statements


def in_shape(columns: set[str], grain: Grain) -> bool:
    """Whether a stored rollup has the columns this code reads."""
    return columns == {column.name for column in grain.table.columns}


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
    c = grain.table.c
    groups = [c[name] for name in names if name not in _MEASURES]
    stored = select(*groups, *(func.sum(c[name]) for name in _MEASURES)).group_by(*groups)
    expected = Counter(_normal(row) for row in (await connection.execute(source)).all())
    actual = Counter(_normal(row) for row in (await connection.execute(stored)).all())
    return sum(((expected - actual) + (actual - expected)).values())


async def record_change(connection: AsyncConnection, before: Row | None, after: Row | None) -> None:
    """Move one complaint out of its old groups and into its new ones (`None`: it did not
    exist before, or does not after), inside the caller's transaction.

    On PostgreSQL each group touched is locked first (a transaction-scoped advisory lock, taken
    in one order by every writer, so none waits on another in a circle): under READ COMMITTED,
    two writers both finding a new group missing would each insert it, and every later change
    would then be added to both rows (an outside test counted 48 for 24). SQLite has one
    writer at a time."""
    changes = [
        (grain, row, sign)
        for grain in Grain
        for row, sign in ((before, -1), (after, 1))
        if row is not None
    ]
    if connection.dialect.name == "postgresql":
        keys = sorted({_lock_key(grain, _group_of(grain, row)) for grain, row, _ in changes})
        for key in keys:
            await connection.execute(select(func.pg_advisory_xact_lock(key)))
    for grain, row, sign in changes:
        await _add(connection, grain, row, sign)


def _lock_key(grain: Grain, group: Mapping[str, Any]) -> int:
    """A group's advisory lock: a signed 64-bit digest of the rollup and the group."""
    text = repr((grain.value, sorted(group.items())))
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


async def _add(connection: AsyncConnection, grain: Grain, row: Row, sign: int) -> None:
    table = grain.table
    group, measures = _group_of(grain, row), _measures_of(row, sign)
    match = and_(
        *(table.c[name].is_(None) if value is None else table.c[name] == value
          for name, value in group.items())
    )  # fmt: skip
    changes = {name: table.c[name] + value for name, value in measures.items()}
    # One row of the group (a group that holds two, from before the locks, still sums right).
    one = select(table.c.id).where(match).limit(1).scalar_subquery()
    changed = await connection.execute(update(table).where(table.c.id == one).values(changes))
    if changed.rowcount == 0:
        await connection.execute(insert(table).values({**group, **measures}))
    await connection.execute(delete(table).where(match, table.c.complaints == 0))


def _group_of(grain: Grain, row: Row) -> dict[str, Any]:
    """The groups a complaint row falls in: what `_grouped_complaints` computes in SQL."""
    verified = row["verified_at"] is not None
    group = {name: row[name] for name in _GROUP_COLUMNS}
    group |= {
        "verified": verified,
        "published": verified and row["is_confidential"] is False,
        "due_month": _year_month(row["completion_due_at"]) if row["finished_at"] is None else None,
    }
    if grain is Grain.DAY:
        group |= {"submitted_on": row["submitted_at"].date()}
        group |= {name: row[name] for name in _DAY_COLUMNS}
    return group


def _year_month(moment: datetime) -> int:
    return moment.year * 100 + moment.month


def _measures_of(row: Row, sign: int) -> dict[str, int]:
    late = row["finished_at"] is not None and row["completion_due_at"] < row["finished_at"]
    key = row["record_key"]
    return {"complaints": sign, "record_keys": sign * key, "late": sign * late,
            "late_keys": sign * key * late}  # fmt: skip


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
    due = complaint.completion_due_at
    due_month = extract("year", due) * 100 + extract("month", due)
    open_due_month = case((complaint.finished_at.is_(None), due_month))
    groups += [("verified", verified), ("published", published), ("due_month", open_due_month)]
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
