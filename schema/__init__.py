"""The public GraphQL contract: strawberry types grouped by domain, merged at the root."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from schema.audit.queries import AuditQueries
from schema.complaints.queries import ComplaintQueries
from schema.complaints.types import Complaint
from schema.extensions import GatewayErrors
from schema.regions.queries import RegionQueries
from schema.stats.queries import StatsQueries
from schema.system.queries import SystemQueries

DOCUMENT_CACHE_SIZE = 512
"""Distinct documents kept parsed and validated (module-level LRU, shared by requests)."""

Query = merge_types(
    "Query", (ComplaintQueries, StatsQueries, RegionQueries, SystemQueries, AuditQueries)
)


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Client mistakes are not server errors: `GatewayErrors` logs only unexpected ones."""


def build_schema() -> strawberry.Schema:
    """The gateway schema; parsed and validated documents are cached across requests."""
    return GatewaySchema(
        query=Query,
        types=[Complaint],
        extensions=[
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
            GatewayErrors,
        ],
    )


def print_sdl() -> str:
    return build_schema().as_str() + "\n"
