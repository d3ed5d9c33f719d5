"""`complaintStats`: group-by counts pushed down to every planned source."""

import strawberry

from gateway.errors import BadUserInputError
from gateway.sources.records import StatsRow
from resolvers.context import SourceProblem
from resolvers.federation import sum_stats
from schema.complaints.inputs import ComplaintFilter, criteria_for
from schema.complaints.types import Ctx
from schema.stats.types import StatsBucket, StatsDimension, StatsKey, StatsResult, stats_key


async def resolve_complaint_stats(
    info: Ctx,
    group_by: list[StatsDimension],
    filter: ComplaintFilter | None = None,
) -> StatsResult:
    if len(set(group_by)) != len(group_by):
        raise BadUserInputError("`groupBy` names a dimension twice", argument="groupBy")
    context = info.context
    criteria = criteria_for(context, filter, aggregate=True)
    merged = await context.federation.stats(criteria, [d.dimension for d in group_by])
    context.problems.extend(
        SourceProblem(failure, tuple(info.path.as_list())) for failure in merged.failures
    )
    rows = sorted(merged.rows, key=lambda row: tuple(_sortable(value) for value in row.key))
    total = sum_stats(
        [[StatsRow((), row.count, row.verified, row.resolved, row.overdue) for row in rows]]
    )
    return StatsResult(
        buckets=[StatsBucket.from_row(stats_key(group_by, row.key), row) for row in rows],
        total=StatsBucket.from_row(StatsKey(), total[0] if total else StatsRow((), 0, 0, 0, 0)),
        complete=not merged.failures,
        missing_sources=[failure.source_id for failure in merged.failures],
    )


def _sortable(value: str | int | None) -> tuple[bool, str | int]:
    return (value is None, value if value is not None else "")


@strawberry.type
class StatsQueries:
    complaint_stats: StatsResult = strawberry.field(
        resolver=resolve_complaint_stats,
        description="Counts grouped by the given dimensions across every source in the filter.",
    )
