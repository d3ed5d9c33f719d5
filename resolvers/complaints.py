"""Complaint root fields: `complaints`, `complaint` and `node`."""

import strawberry

from gateway.errors import BadUserInputError
from gateway.federation.context import SourceProblem
from gateway.federation.cursors import decode_cursor, encode_cursor
from gateway.federation.explain import PlanStep
from gateway.federation.ids import NodeIdCodec
from gateway.federation.merge import SourcedComplaint
from gateway.policy import check_row_filters
from gateway.sources.base import Keyset, PageRequest, SortOrder
from resolvers.assemble import assemble_complaints
from resolvers.plans import ComplaintsPlan, complaints_plan, lookup_plan, plan_for
from resolvers.projection import children
from schema.complaints.connection import ComplaintConnection, ComplaintEdge, PageInfo
from schema.complaints.inputs import ComplaintFilter, criteria_for, used_filters
from schema.complaints.types import Complaint, Ctx, Node

DEFAULT_PAGE_SIZE = 20


async def resolve_complaints(
    info: Ctx,
    filter: ComplaintFilter | None = None,
    order_by: SortOrder = SortOrder.SUBMITTED_AT_DESC,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> ComplaintConnection:
    context = info.context
    if not 0 <= first <= context.max_page_size:
        raise BadUserInputError(
            f"`first` must be between 0 and {context.max_page_size}", argument="first"
        )
    check_row_filters(context.principal, used_filters(filter))
    order = order_by

    def build() -> ComplaintsPlan:
        selected = [child for field in info.selected_fields for child in field.selections]
        nodes = children(children(selected, "edges"), "node")
        return complaints_plan(nodes, selected, context.principal)

    plan = plan_for(context.plans, _plan_key(info), context.principal, info.variable_values, build)
    request = PageRequest(
        criteria=criteria_for(context, filter),
        order=order,
        limit=first,
        after=decode_cursor(context.node_ids, after, order) if after else None,
        columns=plan.columns,
    )
    context.plan.append(
        PlanStep(
            path=str(info.path.key),
            sources=tuple(source.config.id for source in context.federation.plan(request.criteria)),
            columns=tuple(sorted(request.columns)),
            relations=plan.wanted.names,
            withheld=plan.withheld,
        )
    )
    page = await context.federation.page(request, with_total=plan.with_total)
    path = tuple(info.path.as_list())
    context.problems.extend(SourceProblem(failure, path) for failure in page.failures)
    nodes = await assemble_complaints(context, page.rows, plan.wanted)
    edges = [
        _edge(context.node_ids, order, row, node)
        for row, node in zip(page.rows, nodes, strict=True)
    ]
    return ComplaintConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total or 0,
        complete=not page.failures,
        missing_sources=[failure.source_id for failure in page.failures],
    )


async def resolve_complaint(info: Ctx, id: strawberry.ID) -> Complaint | None:
    context = info.context
    type_name, local_id = context.node_ids.decode(id)
    if type_name != "Complaint":
        return None

    def build() -> ComplaintsPlan:
        selected = [child for field in info.selected_fields for child in field.selections]
        return lookup_plan(selected, context.principal)

    plan = plan_for(context.plans, _plan_key(info), context.principal, info.variable_values, build)
    found = await context.loaders.complaint_by_id.load(local_id)
    context.plan.append(
        PlanStep(
            path=str(info.path.key),
            # Named only for a complaint the caller may see: the source holding an id it may
            # not see would tell where that complaint is handled.
            sources=(found.source_id,) if found else (),
            relations=plan.wanted.names,
            withheld=plan.withheld,
        )
    )
    if found is None:
        return None
    (complaint,) = await assemble_complaints(context, [found], plan.wanted)
    return complaint


async def resolve_node(info: Ctx, id: strawberry.ID) -> Node | None:
    return await resolve_complaint(info, id)


def _plan_key(info: Ctx) -> tuple[str | None, str, str]:
    """A root field within its document: the operation, the field and its response key."""
    operation = info.operation.name
    return (operation.value if operation else None, info.field_name, str(info.path.key))


def _edge(
    codec: NodeIdCodec, order: SortOrder, row: SourcedComplaint, node: Complaint
) -> ComplaintEdge:
    keyset = Keyset(row.record.submitted_at, row.record.id)
    return ComplaintEdge(cursor=encode_cursor(codec, order, keyset), node=node)


@strawberry.type
class ComplaintQueries:
    complaint: Complaint | None = strawberry.field(
        resolver=resolve_complaint,
        description="A complaint by global id; out of scope answers exactly like missing.",
    )
    node: Node | None = strawberry.field(resolver=resolve_node)
    complaints: ComplaintConnection = strawberry.field(
        resolver=resolve_complaints,
        description="Complaints in the caller's scope, merged across sources by keyset.",
    )
