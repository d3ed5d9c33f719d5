"""The public GraphQL contract: strawberry types grouped by domain, merged at the root."""

from dataclasses import replace

import strawberry
from graphql import GraphQLError, GraphQLSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gateway.admission.complexity import introspection_sizes
from gateway.admission.documents import DocumentCache
from gateway.admission.limits import ListSizes, QueryLimits
from gateway.graph.execution import SlicedExecutionContext
from gateway.graph.extensions import GatewayErrors, prepared_documents
from gateway.graph.stats_cost import stats_buckets
from gateway.regions import load_regions
from gateway.stats_size import BucketEstimator
from resolvers.audit import MAX_ENTRIES, AuditQueries
from resolvers.complaints import ComplaintQueries
from resolvers.regions import RegionQueries
from resolvers.stats import StatsQueries
from resolvers.system import SystemQueries
from schema.complaints.types import Complaint
from schema.enums import PublicNames

DOCUMENT_CACHE_SIZE = 512
"""Distinct valid documents kept parsed, measured and validated (an LRU per schema, shared by
every request; refused documents have a smaller LRU of their own)."""

Query = merge_types(
    "Query", (ComplaintQueries, StatsQueries, RegionQueries, SystemQueries, AuditQueries)
)
MUTATIONS: tuple[type, ...] = ()
"""Root mutation types, merged into `Mutation` as the queries are into `Query`. None is public
until it works end to end: each resolves through `can_write` and
`gateway.federation.writes.apply_change`."""
Mutation = merge_types("Mutation", MUTATIONS) if MUTATIONS else None


JOURNEY_SIZE = 10
"""Status events, dispositions and follow-ups assumed per complaint by the cost: a complaint's
journey is a handful of steps (the demo's longest has 9 status events)."""


def list_sizes(
    schema: GraphQLSchema,
    *,
    max_page_size: int = 100,
    sources: int = 20,
    buckets: BucketEstimator | None = None,
) -> ListSizes:
    """The static cost's list sizes for this schema: pages from `first`, the region table's
    real sizes, the registry's size, the bucket estimate of each `complaintStats`, the
    introspection lists' exact bounds."""
    regions = load_regions()
    largest_family = max((len(regions.children(r.code)) for r in regions), default=0)
    return ListSizes(
        default=20,
        known={
            "Query.regions": len(regions),
            "Region.children": largest_family,
            "Query.sources": sources,
            "Complaint.statusHistory": JOURNEY_SIZE,
            "Complaint.dispositions": JOURNEY_SIZE,
            "Complaint.followUps": JOURNEY_SIZE,
            **introspection_sizes(schema),
        },
        paged={"Query.complaints": max_page_size, "Query.reporterAccessLog": MAX_ENTRIES},
        pages_of_parent=frozenset({"ComplaintConnection.edges", "StatsResult.buckets"}),
        by_arguments={
            "Query.complaintStats": stats_buckets(schema, buckets or BucketEstimator(regions))
        },
    )


class GatewaySchema(strawberry.Schema):
    documents: DocumentCache
    """Parsed, measured and validated documents (the HTTP edge prepares through it too)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client mistakes are not server errors: `GatewayErrors` logs only unexpected ones."""


def build_schema(
    limits: QueryLimits | None = None,
    *,
    max_page_size: int = 100,
    sources: int = 20,
    buckets: BucketEstimator | None = None,
) -> GatewaySchema:
    """The gateway schema; parsed, measured and validated documents are cached across
    requests. Without `limits`, the default limits apply (with introspection on); without
    `buckets`, the default bucket estimate prices `complaintStats`."""
    documents = DocumentCache(size=DOCUMENT_CACHE_SIZE)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=[Complaint],
        extensions=[prepared_documents(documents), GatewayErrors],
        # Long lists (stats buckets) complete in slices that yield to the event loop.
        execution_context_class=SlicedExecutionContext,
        config=StrawberryConfig(name_converter=PublicNames()),
    )
    sizes = list_sizes(
        schema._schema, max_page_size=max_page_size, sources=sources, buckets=buckets
    )
    chosen = QueryLimits(sizes=sizes) if limits is None else replace(limits, sizes=sizes)
    documents.bind(schema._schema, chosen)
    schema.documents = documents
    return schema


def print_sdl() -> str:
    return build_schema().as_str() + "\n"
