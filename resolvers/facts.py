"""A complaint record's policy facts, and the gateway's own check of rows sources return."""

from gateway.domain import Channel, ComplaintStatus, ComplaintType
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
    """Defence in depth: a source must never return a row outside the scope it was given, nor
    a value the schema cannot carry (one bad row must not fail every source's rows)."""
    return row_visible(scope, facts_of(record)) and well_formed(record)


def well_formed(record: ComplaintRecord) -> bool:
    return (
        (record.status is None or record.status in _STATUSES)
        and (record.type is None or record.type in _TYPES)
        and (record.channel is None or record.channel in _CHANNELS)
    )


_STATUSES = frozenset(status.value for status in ComplaintStatus)
_TYPES = frozenset(kind.value for kind in ComplaintType)
_CHANNELS = frozenset(channel.value for channel in Channel)
