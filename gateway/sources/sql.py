"""SqlSource: a complaint source in a SQL database (SQLite embedded, PostgreSQL in production).

The same SQLAlchemy Core statements run on aiosqlite and asyncpg. Every statement carries the
caller's row scope; child tables (status events, dispositions, follow-ups) are reached only
through complaints inside that scope.
"""

import functools
import logging
import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from gateway.policy import RowScope
from gateway.registry import SourceConfig
from gateway.sources.base import ComplaintCriteria, Dimension, PageRequest
from gateway.sources.changes import ChangeOutcome, ComplaintChange
from gateway.sources.models import (
    AgencyRow,
    CategoryRow,
    ComplaintRow,
    DispositionRow,
    FollowUpRow,
    ReporterRow,
    StatusEventRow,
)
from gateway.sources.reader import LoopReader, Reader, ThreadReader
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatsRow,
    StatusEventRecord,
)
from gateway.sources.rollup import Grain, in_shape
from gateway.sources.sql_filters import (
    apply_keyset,
    complaint,
    criteria_predicate,
    scope_predicate,
)
from gateway.sources.sql_stats import grain_for, stats_row, stats_statements
from gateway.sources.sql_writes import apply_change

logger = logging.getLogger("lapor.sources")

_agency = AgencyRow.__table__.c  # type: ignore[attr-defined]
_category = CategoryRow.__table__.c  # type: ignore[attr-defined]
_event = StatusEventRow.__table__.c  # type: ignore[attr-defined]
_disposition = DispositionRow.__table__.c  # type: ignore[attr-defined]
_follow_up = FollowUpRow.__table__.c  # type: ignore[attr-defined]
_reporter = ReporterRow.__table__.c  # type: ignore[attr-defined]

_ALWAYS = ("id", "submitted_at")
_STATEMENTS_KEPT = 64
"""Page statements (and projections) kept: enough for the fan-outs in flight at once."""


def create_source_engine(config: SourceConfig) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if config.url.startswith("postgresql"):
        connect_args["timeout"] = config.connect_timeout
        if config.schema:
            connect_args["server_settings"] = {"search_path": config.schema}
    else:
        connect_args["timeout"] = config.timeout
    return create_async_engine(
        config.url,
        connect_args=connect_args,
        pool_size=config.pool_size,
        max_overflow=config.pool_size,
    )


class SqlSource:
    """A source answering from its own SQL database."""

    def __init__(
        self, config: SourceConfig, engine: AsyncEngine | None = None, *, use_rollups: bool = True
    ) -> None:
        self.config = config
        self.engine = engine or create_source_engine(config)
        self._reader = _reader_for(config, self.engine)
        self._rollups: bool | None = None if use_rollups else False

    @property
    def read_engine(self) -> Engine:
        """The engine every read of this source executes on."""
        return self._reader.sync_engine

    async def open(self) -> None:
        """Engines connect lazily; nothing to do until the first query."""

    async def close(self) -> None:
        await self._reader.dispose()
        await self.engine.dispose()

    async def fetch_page(self, request: PageRequest) -> list[ComplaintRecord]:
        return await self._complaints(_page_statement(request), _complaint_names(request.columns))

    async def count(self, criteria: ComplaintCriteria) -> int:
        statement = (
            select(func.count()).select_from(ComplaintRow).where(criteria_predicate(criteria))
        )
        return await self._reader.run(
            lambda connection: int(connection.execute(statement).scalar_one())
        )

    async def apply_change(self, change: ComplaintChange, scope: RowScope) -> ChangeOutcome:
        return await apply_change(self.engine, change, scope)

    async def fetch_stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None = None,
    ) -> list[StatsRow]:
        grain = grain_for(criteria, dimensions) if await self._has_rollups() else None
        statements = stats_statements(criteria, tuple(dimensions), split, grain)
        width = len(dimensions)

        def read(connection: Connection) -> list[StatsRow]:
            return [
                stats_row(row, width)
                for statement in statements
                for row in connection.execute(statement)
            ]

        return await self._reader.run(read)

    async def _has_rollups(self) -> bool:
        """Whether this database keeps rollups in step (a source built before them, or whose
        rollups were emptied, answers from its rows). Decided once per process."""
        if self._rollups is None:
            self._rollups = await self._reader.run(_rollups_present)
            if not self._rollups:
                logger.warning("source %s has no rollups: stats read raw rows", self.config.id)
        return self._rollups

    async def fetch_complaints(
        self, ids: Sequence[str], scope: RowScope, columns: frozenset[str]
    ) -> list[ComplaintRecord]:
        names = _complaint_names(columns)
        statement = select(*(complaint[name] for name in names)).where(
            complaint.id.in_(ids), scope_predicate(scope)
        )
        return await self._complaints(statement, names)

    async def fetch_agencies(self, codes: Sequence[str]) -> list[AgencyRecord]:
        statement = select(
            _agency.code, _agency.name, _agency.tier, _agency.kind, _agency.region_code
        ).where(_agency.code.in_(codes))
        return [AgencyRecord(*row) for row in await self._rows(statement)]

    async def fetch_categories(self, codes: Sequence[str]) -> list[CategoryRecord]:
        statement = select(_category.code, _category.name).where(_category.code.in_(codes))
        return [CategoryRecord(*row) for row in await self._rows(statement)]

    async def fetch_status_events(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[StatusEventRecord]:
        statement = (
            select(
                _event.complaint_id,
                _event.from_status,
                _event.to_status,
                _event.at,
                _event.actor_agency,
                _event.note,
            )
            .where(_in_scope(_event.complaint_id, complaint_ids, scope))
            .order_by(_event.complaint_id, _event.at, _event.id)
        )
        return [StatusEventRecord(*row) for row in await self._rows(statement)]

    async def fetch_dispositions(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[DispositionRecord]:
        statement = (
            select(
                _disposition.complaint_id,
                _disposition.from_agency,
                _disposition.to_agency,
                _disposition.at,
                _disposition.reason,
            )
            .where(_in_scope(_disposition.complaint_id, complaint_ids, scope))
            .order_by(_disposition.complaint_id, _disposition.at, _disposition.id)
        )
        return [DispositionRecord(*row) for row in await self._rows(statement)]

    async def fetch_reporters(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[ReporterRecord]:
        statement = (
            select(complaint.id, _reporter.name, _reporter.nik, _reporter.phone, _reporter.email)
            .join_from(ComplaintRow, ReporterRow, complaint.reporter_id == _reporter.id)
            .where(
                complaint.id.in_(complaint_ids),
                complaint.is_anonymous.is_(False),
                scope_predicate(scope),
            )
        )
        return [ReporterRecord(*row) for row in await self._rows(statement)]

    async def fetch_follow_ups(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[FollowUpRecord]:
        statement = (
            select(_follow_up.complaint_id, _follow_up.agency_code, _follow_up.at, _follow_up.body)
            .where(_in_scope(_follow_up.complaint_id, complaint_ids, scope))
            .order_by(_follow_up.complaint_id, _follow_up.at, _follow_up.id)
        )
        return [FollowUpRecord(*row) for row in await self._rows(statement)]

    async def _complaints(self, statement: Any, names: tuple[str, ...]) -> list[ComplaintRecord]:
        record = _record_of(names)
        return await self._reader.run(
            lambda connection: [record(row) for row in connection.execute(statement).all()]
        )

    async def _rows(self, statement: Any) -> Sequence[Any]:
        return await self._reader.run(lambda connection: connection.execute(statement).all())


def _reader_for(config: SourceConfig, engine: AsyncEngine) -> Reader:
    if engine.dialect.name == "sqlite":
        return ThreadReader(engine.url, busy_timeout=config.timeout, pool_size=config.pool_size)
    return LoopReader(engine)


@functools.lru_cache(maxsize=_STATEMENTS_KEPT)
def _page_statement(request: PageRequest) -> Select[Any]:
    """One statement per page request, shared by every source of its fan-out (building it
    costs about a quarter of a millisecond, as much as a regency's SQL)."""
    names = _complaint_names(request.columns)
    statement = select(*(complaint[name] for name in names)).where(
        criteria_predicate(request.criteria)
    )
    return apply_keyset(statement, request.order, request.after).limit(request.limit)


@functools.lru_cache(maxsize=_STATEMENTS_KEPT)
def _complaint_names(columns: frozenset[str]) -> tuple[str, ...]:
    return (*_ALWAYS, *sorted(columns & COMPLAINT_FIELDS - set(_ALWAYS)))


@functools.lru_cache(maxsize=_STATEMENTS_KEPT)
def _record_of(names: tuple[str, ...]) -> Callable[[Sequence[Any]], ComplaintRecord]:
    """Records from rows of the columns `names`, positionally: the fields not selected get
    the `None` every optional field defaults to."""
    position = {name: index for index, name in enumerate(names)}
    pick = operator.itemgetter(
        *(position.get(name, len(names)) for name in ComplaintRecord._fields)
    )
    make = ComplaintRecord._make
    return lambda row: make(pick((*row, None)))


def _rollups_present(connection: Connection) -> bool:
    inspector = inspect(connection)
    for grain in Grain:
        if not inspector.has_table(grain.table.name):
            return False
        columns = {column["name"] for column in inspector.get_columns(grain.table.name)}
        if not in_shape(columns, grain):  # built by an older version: rebuild to use it
            return False
    complaints = connection.execute(select(complaint.id).limit(1)).first()
    rolled = connection.execute(select(Grain.MONTH.table.c.id).limit(1)).first()
    return complaints is None or rolled is not None


def _in_scope(
    complaint_id: Any, complaint_ids: Sequence[str], scope: RowScope
) -> ColumnElement[bool]:
    """Children of the given complaints, reached only through complaints inside the scope."""
    in_scope = select(complaint.id).where(complaint.id.in_(complaint_ids), scope_predicate(scope))
    return complaint_id.in_(in_scope)  # type: ignore[no-any-return]
