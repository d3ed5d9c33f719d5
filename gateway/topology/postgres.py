"""Loading seeded SQLite sources into PostgreSQL, once per seed: one schema per source.

Each source loads in one transaction: its schema is dropped and created, the tables made
(indexes and foreign keys after the rows: one sort or check per index, not one per row), the
rows copied with COPY (binary, through
asyncpg), sequences moved past the ids, statistics gathered, and a row written to
`public.lapor_topology_loads` naming the seed it came from. A later load finds that row and
skips the source; a re-seeded data directory (a new seed id) loads again, and an interrupted
load leaves nothing behind but the previous state.
"""

import asyncio
import socket
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Table, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.schema import AddConstraint, CreateIndex, CreateTable
from sqlmodel import SQLModel

import gateway.sources.models  # noqa: F401 - registers the source tables

LOADS_TABLE = "lapor_topology_loads"
_BATCH_ROWS = 20_000
_TABLE_ORDER = (  # parents first, for the foreign keys
    "agency",
    "category",
    "reporter",
    "complaint",
    "status_event",
    "disposition",
    "follow_up",
    "complaint_rollup_day",
    "complaint_rollup_month",
)
_MISSING_DATABASE = "3D000"

Progress = Callable[[str], None]
Converter = Callable[[Any], Any]


class PostgresUnavailableError(Exception):
    """The server cannot be reached or used; the message says why."""


@dataclass(frozen=True, slots=True)
class LoadJob:
    source_id: str
    sqlite_file: Path
    schema: str


@dataclass(frozen=True, slots=True)
class LoadReport:
    loaded: tuple[str, ...]
    skipped: tuple[str, ...]
    complaints: int
    rows: int
    seconds: float


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def port_open(url: str, timeout: float = 1.0) -> bool:
    """Whether the server's TCP port answers at all (a fast check before connecting)."""
    parsed = make_url(url)
    if not parsed.host:  # a Unix socket: let the connection attempt decide
        return True
    try:
        with socket.create_connection((parsed.host, parsed.port or 5432), timeout=timeout):
            return True
    except OSError:
        return False


async def ensure_database(url: str, connect_timeout: float = 5.0) -> bool:
    """Connect to the database of `url`, creating it (from the `postgres` database) if it
    does not exist; True if it was created. Raises PostgresUnavailableError otherwise."""
    try:
        await _ping(make_url(url), connect_timeout)
        return False
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != _MISSING_DATABASE:
            raise PostgresUnavailableError(_reason(error)) from None
    except (OSError, SQLAlchemyError, TimeoutError) as error:
        raise PostgresUnavailableError(_reason(error)) from None
    target = make_url(url)
    admin = create_async_engine(
        target.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"timeout": connect_timeout},
    )
    try:
        async with admin.connect() as connection:
            name = target.database or ""
            quoted = connection.dialect.identifier_preparer.quote(name)
            await connection.execute(text(f"CREATE DATABASE {quoted}"))
    except (OSError, SQLAlchemyError, TimeoutError) as error:
        raise PostgresUnavailableError(f"cannot create the database: {_reason(error)}") from None
    finally:
        await admin.dispose()
    return True


async def load_sources(
    url: str, jobs: Sequence[LoadJob], seed_id: str, progress: Progress
) -> LoadReport:
    """Load every job not yet loaded from this seed; one transaction per source."""
    started = time.perf_counter()
    engine = create_async_engine(url, connect_args={"timeout": 10.0})
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS public.{LOADS_TABLE} ("
                    "source_id text PRIMARY KEY, schema_name text NOT NULL, "
                    "seed_id text NOT NULL, complaints bigint NOT NULL, rows bigint NOT NULL, "
                    "seconds double precision NOT NULL, loaded_at timestamptz NOT NULL)"
                )
            )
            done = await _already_loaded(connection, jobs, seed_id)
        pending = [job for job in jobs if job.source_id not in done]
        if pending:
            progress(
                f"loading {len(pending)} of {len(jobs)} sources into PostgreSQL "
                f"{display_url(url)} (once per seed) ..."
            )
        complaints = rows = 0
        width = len(str(len(pending)))
        for index, job in enumerate(pending, start=1):
            job_started = time.perf_counter()
            counts = await _load_one(engine, job, seed_id)
            complaints += counts[0]
            rows += counts[1]
            progress(
                f"[{index:>{width}}/{len(pending)}] {job.source_id} → {job.schema}: "
                f"{counts[0]:,} complaints, {counts[1]:,} rows "
                f"in {time.perf_counter() - job_started:.1f} s"
            )
    finally:
        await engine.dispose()
    return LoadReport(
        loaded=tuple(job.source_id for job in pending),
        skipped=tuple(job.source_id for job in jobs if job.source_id in done),
        complaints=complaints,
        rows=rows,
        seconds=time.perf_counter() - started,
    )


async def _ping(url: URL, connect_timeout: float) -> None:
    engine = create_async_engine(url, connect_args={"timeout": connect_timeout})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _reason(error: BaseException) -> str:
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


async def _already_loaded(
    connection: AsyncConnection, jobs: Sequence[LoadJob], seed_id: str
) -> set[str]:
    """Sources loaded from this seed whose schema still holds the complaint table."""
    result = await connection.execute(
        text(
            f"SELECT source_id, schema_name FROM public.{LOADS_TABLE} "  # noqa: S608 - constant
            "WHERE seed_id = :seed"
        ),
        {"seed": seed_id},
    )
    recorded = {row.source_id: row.schema_name for row in result}
    done = set()
    for job in jobs:
        if recorded.get(job.source_id) != job.schema:
            continue
        exists = await connection.scalar(
            text("SELECT to_regclass(:name) IS NOT NULL"), {"name": f'"{job.schema}".complaint'}
        )
        if exists:
            done.add(job.source_id)
    return done


async def _load_one(engine: AsyncEngine, job: LoadJob, seed_id: str) -> tuple[int, int]:
    """(complaints, rows) of one source, copied in one transaction."""
    started = time.perf_counter()
    tables = [SQLModel.metadata.tables[name] for name in _TABLE_ORDER]
    schema = f'"{job.schema}"'
    counts: dict[str, int] = {}
    async with engine.connect() as connection, connection.begin():
        dialect = connection.dialect
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {schema}"))
        await connection.execute(text(f"SET LOCAL search_path TO {schema}"))
        for table in tables:  # foreign keys once the rows are in: one check, not one a row
            create = CreateTable(table, include_foreign_key_constraints=())
            await connection.execute(text(str(create.compile(dialect=dialect))))
        driver = (await connection.get_raw_connection()).driver_connection
        with closing(
            sqlite3.connect(f"file:{job.sqlite_file}?mode=ro", uri=True, check_same_thread=False)
        ) as lite:
            for table in tables:
                counts[table.name] = await _copy_table(lite, driver, table, job.schema)
        for table in tables:
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                await connection.execute(text(str(CreateIndex(index).compile(dialect=dialect))))
            for constraint in table.foreign_key_constraints:
                add = AddConstraint(constraint)
                await connection.execute(text(str(add.compile(dialect=dialect))))
            id_column = table.c.get("id")
            if id_column is not None and isinstance(id_column.type, Integer):
                await connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) "  # noqa: S608 - model names
                        f"FROM {table.name} HAVING max(id) IS NOT NULL"
                    )
                )
            await connection.execute(text(f"ANALYZE {table.name}"))
        total = sum(counts.values())
        await connection.execute(
            text(
                f"INSERT INTO public.{LOADS_TABLE} VALUES "  # noqa: S608 - a constant
                "(:source, :schema, :seed, :complaints, :rows, :seconds, now()) "
                "ON CONFLICT (source_id) DO UPDATE SET schema_name = excluded.schema_name, "
                "seed_id = excluded.seed_id, complaints = excluded.complaints, "
                "rows = excluded.rows, seconds = excluded.seconds, loaded_at = now()"
            ),
            {
                "source": job.source_id,
                "schema": job.schema,
                "seed": seed_id,
                "complaints": counts["complaint"],
                "rows": total,
                "seconds": time.perf_counter() - started,
            },
        )
    return counts["complaint"], total


async def _copy_table(lite: sqlite3.Connection, driver: Any, table: Table, schema: str) -> int:
    """COPY one table's rows from SQLite, in batches, converted to the column types."""
    columns = [column.name for column in table.columns]
    converters = [_converter(column.type) for column in table.columns]
    cursor = lite.execute(f"SELECT {', '.join(columns)} FROM {table.name}")  # noqa: S608 - model names
    copied = 0
    # Reading and converting the next batch (in a thread) overlaps the server's COPY work.
    upcoming = asyncio.ensure_future(asyncio.to_thread(_next_batch, cursor, converters))
    try:
        while batch := await upcoming:
            upcoming = asyncio.ensure_future(asyncio.to_thread(_next_batch, cursor, converters))
            await driver.copy_records_to_table(
                table.name, records=batch, columns=columns, schema_name=schema
            )
            copied += len(batch)
    finally:
        await asyncio.wait([upcoming])  # its thread still reads the cursor: let it finish
        if not upcoming.cancelled():
            upcoming.exception()  # retrieved: a failure here is the COPY's, already raised
    return copied


def _next_batch(
    cursor: sqlite3.Cursor, converters: list[Converter | None]
) -> list[tuple[Any, ...]]:
    rows = cursor.fetchmany(_BATCH_ROWS)
    if not rows:
        return []
    by_column = []
    for values, convert in zip(zip(*rows, strict=True), converters, strict=True):
        if convert is None:
            by_column.append(values)
        else:
            by_column.append(tuple(None if value is None else convert(value) for value in values))
    return list(zip(*by_column, strict=True))


def _converter(column_type: object) -> Converter | None:
    """SQLite keeps datetimes and dates as ISO text and booleans as 0/1 (see the seed's
    store); binary COPY wants the Python values."""
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat
    if isinstance(column_type, Date):
        return date.fromisoformat
    if isinstance(column_type, Boolean):
        return bool
    return None
