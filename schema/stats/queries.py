"""`complaintStats`: group-by counts pushed down to every planned source."""

import strawberry

from gateway.errors import BadUserInputError
from gateway.policy import check_aggregate_query, suppression_scope
from gateway.suppression import protect
from resolvers.context import SourceProblem
from schema.complaints.inputs import ComplaintFilter, criteria_for, used_filters
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
    check_aggregate_query(
        context.principal,
        used_filters(filter),
        [dimension.value for dimension in group_by],
        filter.region if filter else None,
    )
    criteria = criteria_for(context, filter, aggregate=True)
    merged = await context.federation.stats(
        criteria, [d.dimension for d in group_by], suppression_scope(context.principal)
    )
    context.problems.extend(
        SourceProblem(failure, tuple(info.path.as_list())) for failure in merged.failures
    )
    cells = sorted(merged.cells, key=lambda cell: tuple(_sortable(value) for value in cell.key))
    buckets, total = protect(cells, len(group_by), context.suppression_k)
    return StatsResult(
        buckets=[
            StatsBucket.from_shown(stats_key(group_by, shown.key), shown) for shown in buckets
        ],
        total=StatsBucket.from_shown(StatsKey(), total),
        complete=not merged.failures,
        missing_sources=[failure.source_id for failure in merged.failures],
    )


def _sortable(value: object) -> tuple[bool, str]:
    return (value is None, f"{value:>12}" if isinstance(value, int) else str(value or ""))


@strawberry.type
class StatsQueries:
    complaint_stats: StatsResult = strawberry.field(
        resolver=resolve_complaint_stats,
        description="Counts grouped by the given dimensions across every source in the filter.",
    )
