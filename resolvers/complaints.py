"""Complaint root fields: `complaints`, `complaint` and `node`."""

import strawberry

from gateway.errors import BadUserInputError
from gateway.federation.context import SourceProblem
from gateway.federation.cursors import decode_cursor, encode_cursor
from gateway.federation.explain import PlanStep
from gateway.federation.ids import NodeIdCodec
from gateway.federation.reads import SourcedComplaint
from gateway.policy import check_row_filters
from gateway.sources.base import Keyset, PageRequest, SortOrder
from resolvers.assemble import Wanted, assemble_complaints, withheld
from resolvers.projection import children, complaint_columns, field_names
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
    selected = [child for field in info.selected_fields for child in field.selections]
    request = PageRequest(
        criteria=criteria_for(context, filter),
        order=order,
        limit=first,
        after=decode_cursor(context.node_ids, after, order) if after else None,
        columns=complaint_columns(children(children(selected, "edges"), "node"), context.principal),
    )
    node_selections = children(children(selected, "edges"), "node")
    wanted = Wanted.from_selections(node_selections, context.principal)
    context.plan.append(
        PlanStep(
            path=str(info.path.key),
            sources=tuple(source.config.id for source in context.federation.plan(request.criteria)),
            columns=tuple(sorted(request.columns)),
            relations=wanted.names,
            withheld=withheld(node_selections, context.principal),
        )
    )
    page = await context.federation.page(request, with_total="totalCount" in field_names(selected))
    path = tuple(info.path.as_list())
    context.problems.extend(SourceProblem(failure, path) for failure in page.failures)
    nodes = await assemble_complaints(context, page.rows, wanted)
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
    selected = [child for field in info.selected_fields for child in field.selections]
    wanted = Wanted.from_selections(selected, context.principal)
    found = await context.loaders.complaint_by_id.load(local_id)
    context.plan.append(
        PlanStep(
            path=str(info.path.key),
            # Named only for a complaint the caller may see: the source holding an id it may
            # not see would tell where that complaint is handled.
            sources=(found.source_id,) if found else (),
            relations=wanted.names,
            withheld=withheld(selected, context.principal),
        )
    )
    if found is None:
        return None
    (complaint,) = await assemble_complaints(context, [found], wanted)
    return complaint


async def resolve_node(info: Ctx, id: strawberry.ID) -> Node | None:
    return await resolve_complaint(info, id)


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
