"""Relay-style complaint connection."""

import strawberry

from schema.complaints.types import Complaint


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ComplaintEdge:
    cursor: str
    node: Complaint


@strawberry.type(description="A page merged from every source the query needed.")
class ComplaintConnection:
    edges: list[ComplaintEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Matching complaints in reachable sources.")
    complete: bool = strawberry.field(description="False when a source failed to answer.")
    missing_sources: list[str] = strawberry.field(description="Ids of the sources that failed.")
