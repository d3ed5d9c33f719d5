"""Writing a source's rows: an SQLite file (fast path) or any async SQLAlchemy engine.

Tables come from the SQLModel metadata (`gateway.sources.models`). SQLite files are written
with the standard `sqlite3` module in one transaction, values formatted as SQLAlchemy stores
them (`YYYY-MM-DD HH:MM:SS.ffffff`), so that SQL comparisons and keyset cursors see one format.
"""

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, insert, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlmodel import SQLModel

from gateway.demo.seed.generate import SourceData
from gateway.sources.models import new_record_key  # also registers the source tables
from gateway.sources.rollup import rebuild_statements

# SourceData field -> table, parents first.
_TABLES = (
    ("agencies", "agency"),
    ("categories", "category"),
    ("reporters", "reporter"),
    ("complaints", "complaint"),
    ("status_events", "status_event"),
    ("dispositions", "disposition"),
    ("follow_ups", "follow_up"),
)


def write_sqlite(path: Path, data: SourceData) -> None:
    """Write `data` to a new SQLite file at `path`, replacing any file there.

    The file is built beside `path` and moved into place, so a reader never sees half of it.
    """
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(partial, isolation_level=None)) as connection:
            _fill_sqlite(connection, data)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def _fill_sqlite(connection: sqlite3.Connection, data: SourceData) -> None:
    connection.execute("PRAGMA synchronous = OFF")  # a failed write is discarded anyway
    connection.execute("PRAGMA journal_mode = MEMORY")
    connection.execute("BEGIN")
    tables, indexes = _sqlite_ddl()
    for statement in tables:
        connection.execute(statement)
    for table, rows in _rows_by_table(data):
        if rows:
            columns = list(rows[0])
            values = _sqlite_values(table, columns, rows)
            if "record_key" in table.c and "record_key" not in columns:
                # Drawn here, not in the deterministic generator: keys are secret.
                columns.append("record_key")
                values = ((*row, new_record_key()) for row in values)
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
            connection.executemany(sql, values)
    for statement in indexes:  # after the rows: one sort per index instead of many inserts
        connection.execute(statement)
    dialect = sqlite.dialect()
    for statement in rebuild_statements("sqlite"):
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        connection.execute(sql)
    # Statistics let the planner look children up by complaint id instead of scanning a
    # regency's index (a 30x slower status-history query without them).
    connection.execute("ANALYZE")
    connection.execute("COMMIT")


async def write_async(engine: AsyncEngine, data: SourceData) -> None:
    """Create the tables on `engine` if needed and insert `data` in one transaction."""
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
        for table, rows in _rows_by_table(data):
            if rows:
                await connection.execute(insert(table), rows)
        for statement in rebuild_statements(connection.dialect.name):
            await connection.execute(statement)
        if connection.dialect.name == "postgresql" and data.reporters:
            # Reporter ids were given explicitly: move the sequence past them for later inserts.
            await connection.execute(
                text("SELECT setval(pg_get_serial_sequence('reporter', 'id'), :last)"),
                {"last": max(row["id"] for row in data.reporters)},
            )


def _rows_by_table(data: SourceData) -> Iterator[tuple[Table, list[dict[str, Any]]]]:
    for field_name, table_name in _TABLES:
        yield SQLModel.metadata.tables[table_name], getattr(data, field_name)


def _sqlite_ddl() -> tuple[list[str], list[str]]:
    dialect = sqlite.dialect()
    tables = SQLModel.metadata.sorted_tables
    return (
        [str(CreateTable(table).compile(dialect=dialect)) for table in tables],
        [
            str(CreateIndex(index).compile(dialect=dialect))
            for table in tables
            for index in sorted(table.indexes, key=lambda index: str(index.name))
        ],
    )


def _sqlite_values(
    table: Table, columns: list[str], rows: list[dict[str, Any]]
) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples in `columns` order, converted column by column (list comprehensions
    are several times faster than a per-value loop)."""
    by_column = []
    for name in columns:
        values = [row[name] for row in rows]
        convert = _converter(table.c[name].type)
        if convert is not None:
            values = [None if value is None else convert(value) for value in values]
        by_column.append(values)
    return zip(*by_column, strict=True)


def _converter(column_type: object) -> Callable[[Any], Any] | None:
    if isinstance(column_type, DateTime):
        return _sqlite_datetime
    if isinstance(column_type, Date):
        return date.isoformat
    if isinstance(column_type, Boolean):
        return int
    return None


def _sqlite_datetime(moment: datetime) -> str:
    return moment.isoformat(" ", "microseconds")
