"""`complaintStats`: group-by counts pushed down to every planned source."""

import asyncio
import functools
from dataclasses import replace
from datetime import datetime

import strawberry

from gateway.disclosure import Cell, Offsets, disclose, question_offsets
from gateway.disclosure.budget import charge
from gateway.errors import BadUserInputError
from gateway.federation.context import SourceProblem
from gateway.federation.explain import PlanStep
from gateway.federation.ids import SealPurpose
from gateway.federation.offload import off_loop
from gateway.policy import aggregate_split, aggregates_are_exact, check_aggregate_query
from schema.complaints.inputs import ComplaintFilter, criteria_for, used_filters
from schema.complaints.types import Ctx
from schema.enums import Dimension
from schema.stats.types import StatsBucket, StatsKey, StatsResult, stats_key


async def resolve_complaint_stats(
    info: Ctx,
    group_by: list[Dimension],
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
    estimate = context.buckets.check(group_by, criteria)
    context.buckets_asked.append(estimate)
    context.buckets.check_request(context.buckets_asked)
    # The request's other root fields run up to their own estimate while this one yields, so
    # the cap is checked on all of them before any calls a source (a test caught an alias
    # under the cap reading its sources while a later one brought the sum over it).
    await asyncio.sleep(0)
    context.buckets.check_request(context.buckets_asked)
    exact = aggregates_are_exact(context.principal, filter.region if filter else None)
    # One question whatever the minute it is asked in: `now` only moves `overdue`.
    question, grouping = repr(replace(criteria, now=datetime.min)), grouping_text(group_by)
    offsets = question_offsets(
        functools.partial(context.node_ids.digest, SealPurpose.CELL_KEY), question, grouping
    )
    context.plan.append(
        PlanStep(
            path=str(info.path.key),
            sources=tuple(source.config.id for source in context.federation.plan(criteria)),
            detail={"groupBy": [d.value for d in group_by], "exact": exact},
        )
    )
    merged = await context.federation.stats(criteria, group_by, aggregate_split(context.principal))
    context.problems.extend(
        SourceProblem(failure, tuple(info.path.as_list())) for failure in merged.failures
    )
    if exact:
        context.buckets.check_actual(len(merged.cells))  # the estimate rests on settings
    buckets, total = await off_loop(len(merged.cells), present, merged.cells, group_by, offsets)
    if not exact:
        # Charged on what would be shown, never on the groups the sources returned: those
        # include groups of a few protected complaints, shown as empty and left out, and a
        # charge, a limit or a refusal on them would tell how many there are. For the same
        # reason no size check follows the estimate here: the daily budget bounds the answer.
        principal = f"{context.principal.tier.value}:{context.principal.subject}"
        await charge(context.query_budget, principal, (question, grouping), len(buckets) + 1)
    return StatsResult(
        buckets=buckets,
        total=total,
        exact=exact,
        complete=not merged.failures,
        missing_sources=[failure.source_id for failure in merged.failures],
    )


def grouping_text(group_by: list[Dimension]) -> str:
    """The grouping as the cell key offsets and the daily budget read it. Frozen: it is the
    text the grouping had when offsets were first drawn (the repr of a tuple of the public
    schema's own enum, since declared once as `Dimension`), and another text would give every
    cell a second, independent noise for the same question, an averaging attack for free."""
    members = [f"<StatsDimension.{dimension.name}: '{dimension.value}'>" for dimension in group_by]
    return f"({members[0]},)" if len(members) == 1 else f"({', '.join(members)})"


def present(
    cells: list[Cell], group_by: list[Dimension], offsets: Offsets
) -> tuple[list[StatsBucket], StatsBucket]:
    """Buckets in key order and the total, as the caller may see them."""
    ordered = sorted(cells, key=lambda cell: tuple(_sortable(value) for value in cell.key))
    shown, total = disclose(ordered, offsets)
    buckets = [StatsBucket.from_shown(stats_key(group_by, bucket.key), bucket) for bucket in shown]
    return buckets, StatsBucket.from_shown(StatsKey(), total)


def _sortable(value: object) -> tuple[bool, str]:
    return (value is None, f"{value:>12}" if isinstance(value, int) else str(value or ""))


@strawberry.type
class StatsQueries:
    complaint_stats: StatsResult = strawberry.field(
        resolver=resolve_complaint_stats,
        description="Counts grouped by the given dimensions across every source in the filter.",
    )
