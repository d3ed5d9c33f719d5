"""The Source protocol: what every complaint source answers, whatever it runs on.

Every call carries the caller's row scope; a source applies it in its own query, so rows
outside the scope never leave the source. Tiers are data, not classes: a national, provincial
and regency source differ only in the region codes they cover.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from gateway.domain import Tier
from gateway.policy import RowScope
from gateway.registry import SourceConfig
from gateway.sources.changes import ChangeOutcome, ComplaintChange
from gateway.sources.records import (
    AgencyRecord,
    CategoryRecord,
    ComplaintRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatsRow,
    StatusEventRecord,
)


class SortOrder(Enum):
    SUBMITTED_AT_DESC = "SUBMITTED_AT_DESC"
    SUBMITTED_AT_ASC = "SUBMITTED_AT_ASC"

    @property
    def descending(self) -> bool:
        return self is SortOrder.SUBMITTED_AT_DESC


class Dimension(Enum):
    PROVINCE = "PROVINCE"
    REGENCY = "REGENCY"
    AGENCY = "AGENCY"
    TIER = "TIER"
    CATEGORY = "CATEGORY"
    TYPE = "TYPE"
    CHANNEL = "CHANNEL"
    STATUS = "STATUS"
    YEAR = "YEAR"
    MONTH = "MONTH"


@dataclass(frozen=True, slots=True)
class Keyset:
    """A position in the global order: (submitted_at, id) is unique across all sources."""

    submitted_at: datetime
    id: str


@dataclass(frozen=True)
class ComplaintCriteria:
    """Row scope and filter, both pushed into the source query."""

    scope: RowScope
    now: datetime
    region: str | None = None
    incident_region: str | None = None
    agency: str | None = None
    tier: Tier | None = None
    statuses: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    submitted_from: datetime | None = None
    submitted_before: datetime | None = None
    overdue: bool | None = None
    text: str | None = None


@dataclass(frozen=True)
class PageRequest:
    criteria: ComplaintCriteria
    order: SortOrder
    limit: int
    after: Keyset | None = None
    columns: frozenset[str] = field(default_factory=frozenset)
    """Complaint columns the query needs beyond `id` and `submitted_at`."""


class Source(Protocol):
    """A complaint source. Calls return records aligned to nothing: loaders align them."""

    config: SourceConfig

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def fetch_page(self, request: PageRequest) -> list[ComplaintRecord]:
        """Up to `limit` complaints after the keyset, in order."""
        ...

    async def count(self, criteria: ComplaintCriteria) -> int: ...

    async def fetch_stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None = None,
    ) -> list[StatsRow]:
        """Counts grouped by `dimensions`, each group split by whether its complaints lie
        inside `split` (None: none do)."""
        ...

    async def fetch_complaints(
        self, ids: Sequence[str], scope: RowScope, columns: frozenset[str]
    ) -> list[ComplaintRecord]: ...

    async def fetch_agencies(self, codes: Sequence[str]) -> list[AgencyRecord]: ...

    async def fetch_categories(self, codes: Sequence[str]) -> list[CategoryRecord]: ...

    async def fetch_status_events(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[StatusEventRecord]: ...

    async def fetch_dispositions(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[DispositionRecord]: ...

    async def fetch_reporters(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[ReporterRecord]:
        """Reporters of the given in-scope, non-anonymous complaints."""
        ...

    async def fetch_follow_ups(
        self, complaint_ids: Sequence[str], scope: RowScope
    ) -> list[FollowUpRecord]: ...

    async def apply_change(self, change: ComplaintChange, scope: RowScope) -> ChangeOutcome:
        """One change to one complaint inside `scope`, whole or not at all
        (`gateway.sources.changes`); a scope of published complaints only writes nothing."""
        ...
