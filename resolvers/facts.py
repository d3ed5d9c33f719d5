"""A complaint record's policy facts, and the gateway's own check of rows sources return."""

from gateway.policy import ComplaintFacts, RowScope, row_visible
from gateway.sources.records import ComplaintRecord

FACT_COLUMNS: frozenset[str] = frozenset(
    {"region_code", "agency_code", "status", "verified_at", "is_anonymous", "is_confidential"}
)
"""Columns every complaint query selects, whatever the client asked: policy decides on them."""


def facts_of(record: ComplaintRecord) -> ComplaintFacts:
    return ComplaintFacts(
        region_code=record.region_code,
        agency_code=record.agency_code,
        status=record.status,
        verified=record.verified_at is not None,
        is_anonymous=record.is_anonymous,
        is_confidential=record.is_confidential,
    )


def in_scope(scope: RowScope, record: ComplaintRecord) -> bool:
    """Defence in depth: a source must never return a row outside the scope it was given."""
    return row_visible(scope, facts_of(record))
