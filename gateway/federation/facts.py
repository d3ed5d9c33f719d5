"""A complaint record's policy facts, and the gateway's own check of rows sources return."""

from collections.abc import Sequence

from gateway.domain import Channel, ComplaintStatus, ComplaintType, Tier
from gateway.policy import ComplaintFacts, RowScope, row_visible
from gateway.sources.base import Dimension
from gateway.sources.records import ComplaintRecord, StatsRow

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
_TIERS = frozenset(tier.value for tier in Tier)
_DIMENSION_VALUES: dict[Dimension, frozenset[str]] = {
    Dimension.STATUS: _STATUSES,
    Dimension.TYPE: _TYPES,
    Dimension.CHANNEL: _CHANNELS,
    Dimension.TIER: _TIERS,
}


def well_formed_key(row: StatsRow, dimensions: Sequence[Dimension]) -> bool:
    """Whether a stats row's key holds only values the schema can carry."""
    return all(
        value is None or value in _DIMENSION_VALUES.get(dimension, (value,))
        for dimension, value in zip(dimensions, row.key, strict=True)
    )
