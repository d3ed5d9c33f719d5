"""The source contract v1 as a strawberry schema (printed: `contract/source-v1.graphql`).

It mirrors the `Source` protocol one query per method, flat and fast: records are plain
object types with the record fields, and resolvers hand `SqlSource`'s frozen records straight
to GraphQL (no copies). No argument says anything about row scope: every resolver takes the
scope from the verified token in its context (`ServiceContext.claim`), so no query can ask
for more than the gateway signed.
"""

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext
from strawberry.types.base import StrawberryObjectDefinition

from gateway.domain import Tier
from gateway.errors import AuthorizationError, BadUserInputError
from gateway.policy import RowScope
from gateway.service.errors import ServiceErrors
from gateway.service.execution import Plan, flat_plan, flat_records_execution
from gateway.service.settings import ServiceSettings
from gateway.service.types import (
    Agency,
    Category,
    ChangeInput,
    ChangeOutcome,
    Complaint,
    Contract,
    Criteria,
    Disposition,
    FollowUp,
    Keyset,
    Reporter,
    StatsRow,
    StatusEvent,
)
from gateway.source_tokens import ScopeClaim
from gateway.sources import base
from gateway.sources.base import Dimension, SortOrder
from gateway.sources.contract import (
    COLUMN_OF_FIELD,
    CONTRACT_VERSION,
    STATS_DIMENSION_FIELDS,
    WireError,
    change_from_wire,
    utc_naive,
)
from gateway.sources.records import StatsPart
from gateway.sources.records import StatsRow as StatsRecord
from gateway.sources.sql import SqlSource

T = TypeVar("T")
DOCUMENT_CACHE_SIZE = 64


@dataclass(frozen=True)
class ServiceContext:
    """Per request: the one database, and the scope the gateway's token grants this call."""

    source: SqlSource
    claim: ScopeClaim
    settings: ServiceSettings


Info = strawberry.Info[ServiceContext, None]


def _bounded(settings: ServiceSettings, name: str, values: Sequence[object]) -> None:
    if len(values) > settings.max_items:
        raise BadUserInputError(f"`{name}` lists more than {settings.max_items} values")


def _row_scope(info: Info) -> RowScope:
    """The token's scope for reading rows. A stats token reads every region's counts, so it
    reads no rows at all: a token is good only for the kind of call it was signed for."""
    return _scope_for(info, "rows")


def _scope_for(info: Info, operation: str) -> RowScope:
    claim = info.context.claim
    if claim.operation != operation:
        raise AuthorizationError(f"this token was signed for {claim.operation}, not {operation}")
    return claim.scope


def _criteria(info: Info, criteria: Criteria, *, stats: bool = False) -> base.ComplaintCriteria:
    """The filter from the arguments, the row scope from the token: never the other way."""
    context = info.context
    for name in ("statuses", "types", "categories", "channels"):
        _bounded(context.settings, name, getattr(criteria, name))
    try:
        tier = Tier(criteria.tier) if criteria.tier is not None else None
    except ValueError:
        raise BadUserInputError(f"unknown tier {criteria.tier!r}") from None
    return base.ComplaintCriteria(
        scope=_scope_for(info, "stats") if stats else _row_scope(info),
        now=_utc(criteria.now),
        region=criteria.region,
        incident_region=criteria.incident_region,
        agency=criteria.agency,
        tier=tier,
        statuses=tuple(criteria.statuses),
        types=tuple(criteria.types),
        categories=tuple(criteria.categories),
        channels=tuple(criteria.channels),
        submitted_from=_naive(criteria.submitted_from),
        submitted_before=_naive(criteria.submitted_before),
        overdue=criteria.overdue,
        text=criteria.text,
    )


def _naive(moment: datetime | None) -> datetime | None:
    return None if moment is None else _utc(moment)


def _utc(moment: datetime) -> datetime:
    """Naive UTC; a time whose UTC falls outside the calendar is the caller's mistake."""
    try:
        return utc_naive(moment)
    except OverflowError:
        raise BadUserInputError("a time outside the years 1 to 9999 in UTC") from None


def _columns(columns: Sequence[str]) -> frozenset[str]:
    try:
        return frozenset(COLUMN_OF_FIELD[name] for name in columns)
    except KeyError as error:
        raise BadUserInputError(f"unknown column {error.args[0]!r}") from None


async def _run(info: Info, call: Awaitable[T]) -> T:
    async with asyncio.timeout(info.context.settings.timeout):
        return await call


def _stats_row(record: StatsRecord, dimensions: Sequence[Dimension]) -> StatsRow:
    row = StatsRow(
        count=record.count,
        verified=record.verified,
        resolved=record.resolved,
        overdue=record.overdue,
        inside=record.part is StatsPart.OWN,
        part=record.part.value,
        count_key=record.count_key,
        verified_key=record.verified_key,
        resolved_key=record.resolved_key,
        overdue_key=record.overdue_key,
    )
    for dimension, value in zip(dimensions, record.key, strict=True):
        setattr(row, STATS_DIMENSION_FIELDS[dimension], value)
    return row


def resolve_contract(info: Info) -> Contract:
    settings = info.context.settings
    return Contract(version=CONTRACT_VERSION, source_id=settings.id, covers=list(settings.covers))


async def resolve_page(
    info: Info,
    criteria: Criteria,
    order: SortOrder,
    limit: int,
    after: Keyset | None = None,
    columns: list[str] | None = None,
) -> list[Complaint]:
    if not 0 <= limit <= info.context.settings.max_items:
        raise BadUserInputError(f"`limit` must be 0 to {info.context.settings.max_items}")
    request = base.PageRequest(
        criteria=_criteria(info, criteria),
        order=order,
        limit=limit,
        after=None if after is None else base.Keyset(_utc(after.submitted_at), after.id),
        columns=_columns(columns or ()),
    )
    records = await _run(info, info.context.source.fetch_page(request))
    return cast(list[Complaint], records)


async def resolve_count(info: Info, criteria: Criteria) -> int:
    return await _run(info, info.context.source.count(_criteria(info, criteria)))


async def resolve_stats(
    info: Info, criteria: Criteria, dimensions: list[Dimension]
) -> list[StatsRow]:
    _bounded(info.context.settings, "dimensions", dimensions)
    records = await _run(
        info,
        info.context.source.fetch_stats(
            _criteria(info, criteria, stats=True),
            dimensions,
            info.context.claim.split,
        ),
    )
    return [_stats_row(record, dimensions) for record in records]


async def resolve_complaints(
    info: Info, ids: list[str], columns: list[str] | None = None
) -> list[Complaint]:
    _bounded(info.context.settings, "ids", ids)
    source, scope = info.context.source, _row_scope(info)
    records = await _run(info, source.fetch_complaints(ids, scope, _columns(columns or ())))
    return cast(list[Complaint], records)


async def resolve_agencies(info: Info, codes: list[str]) -> list[Agency]:
    _bounded(info.context.settings, "codes", codes)
    return cast(list[Agency], await _run(info, info.context.source.fetch_agencies(codes)))


async def resolve_categories(info: Info, codes: list[str]) -> list[Category]:
    _bounded(info.context.settings, "codes", codes)
    return cast(list[Category], await _run(info, info.context.source.fetch_categories(codes)))


async def resolve_status_events(info: Info, complaint_ids: list[str]) -> list[StatusEvent]:
    _bounded(info.context.settings, "complaintIds", complaint_ids)
    source, scope = info.context.source, _row_scope(info)
    records = await _run(info, source.fetch_status_events(complaint_ids, scope))
    return cast(list[StatusEvent], records)


async def resolve_dispositions(info: Info, complaint_ids: list[str]) -> list[Disposition]:
    _bounded(info.context.settings, "complaintIds", complaint_ids)
    source, scope = info.context.source, _row_scope(info)
    records = await _run(info, source.fetch_dispositions(complaint_ids, scope))
    return cast(list[Disposition], records)


async def resolve_follow_ups(info: Info, complaint_ids: list[str]) -> list[FollowUp]:
    _bounded(info.context.settings, "complaintIds", complaint_ids)
    source, scope = info.context.source, _row_scope(info)
    return cast(list[FollowUp], await _run(info, source.fetch_follow_ups(complaint_ids, scope)))


async def resolve_reporters(info: Info, complaint_ids: list[str]) -> list[Reporter]:
    _bounded(info.context.settings, "complaintIds", complaint_ids)
    source, scope = info.context.source, _row_scope(info)
    return cast(list[Reporter], await _run(info, source.fetch_reporters(complaint_ids, scope)))


@strawberry.type(description="Source contract v1: the `Source` protocol over GraphQL.")
class Query:
    contract: Contract = strawberry.field(
        resolver=resolve_contract, description="The contract this source speaks."
    )
    page: list[Complaint] = strawberry.field(
        resolver=resolve_page, description="Up to `limit` complaints after the keyset, in order."
    )
    count: int = strawberry.field(resolver=resolve_count, description="How many complaints match.")
    stats: list[StatsRow] = strawberry.field(
        resolver=resolve_stats,
        description="Counts grouped by `dimensions`, split by the token's `split` scope.",
    )
    complaints: list[Complaint] = strawberry.field(
        resolver=resolve_complaints,
        description="Complaints by id; those outside the token's scope are simply absent.",
    )
    agencies: list[Agency] = strawberry.field(
        resolver=resolve_agencies, description="Agencies by code (reference data, not scoped)."
    )
    categories: list[Category] = strawberry.field(
        resolver=resolve_categories, description="Categories by code (reference data, not scoped)."
    )
    status_events: list[StatusEvent] = strawberry.field(
        resolver=resolve_status_events, description="Status history of in-scope complaints."
    )
    dispositions: list[Disposition] = strawberry.field(
        resolver=resolve_dispositions, description="Dispositions of in-scope complaints."
    )
    follow_ups: list[FollowUp] = strawberry.field(
        resolver=resolve_follow_ups, description="Follow-ups of in-scope complaints."
    )
    reporters: list[Reporter] = strawberry.field(
        resolver=resolve_reporters,
        description="Reporters of in-scope, non-anonymous complaints (personal data).",
    )


async def resolve_apply_change(info: Info, change: ChangeInput) -> ChangeOutcome:
    _bounded(info.context.settings, "values", change.values)
    try:
        decoded = change_from_wire(
            change.complaint_id,
            change.expected_version,
            change.at,
            change.actor_agency,
            change.note,
            [(value.column, value.value) for value in change.values],
        )
    except WireError as error:
        raise BadUserInputError(str(error)) from None
    source, scope = info.context.source, _scope_for(info, "write")
    return cast(ChangeOutcome, await _run(info, source.apply_change(decoded, scope)))


@strawberry.type(description="Source contract v1's writes: each in one transaction.")
class Mutation:
    apply_change: ChangeOutcome = strawberry.field(
        resolver=resolve_apply_change,
        description="Apply one change to one complaint inside the token's scope; NOT_FOUND "
        "for any other (out of scope answers exactly like missing).",
    )


class ContractSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Logged (or not) by `ServiceErrors`, which also codes and masks them."""


FLAT_RECORD_TYPES = (
    "Complaint",
    "Agency",
    "Category",
    "StatusEvent",
    "Disposition",
    "FollowUp",
    "Reporter",
    "StatsRow",
)
"""Object types built in one step per object (`gateway.service.execution`)."""


def build_contract_schema() -> strawberry.Schema:
    """The schema. The gateway sends a handful of constant documents, so parsed and validated
    documents are cached (validation would otherwise cost more than the query), and the flat
    record types skip graphql-core's per-field machinery."""
    plans: dict[str, Plan] = {}
    schema = ContractSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            ServiceErrors,
        ],
        execution_context_class=flat_records_execution(plans),
    )
    for name in FLAT_RECORD_TYPES:
        definition = schema.get_type_by_name(name)
        assert isinstance(definition, StrawberryObjectDefinition)
        python_names = {
            schema.config.name_converter.get_graphql_name(field): field.python_name
            for field in definition.fields
        }
        plans[name] = flat_plan(schema._schema, name, python_names)
    return schema


def contract_sdl() -> str:
    """The SDL committed as `contract/source-v1.graphql`."""
    return build_contract_schema().as_str() + "\n"
