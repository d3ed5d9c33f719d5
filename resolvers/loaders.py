"""Per-request loaders: one batch per source per tick, whatever the page size.

Every loader groups its keys by owning source and makes one call per source, with the caller's
row scope and the source deadline inside the batch function. A failed source yields a coded
`SourceError` for its keys (an error at that field's path), never a failed request.
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader

from gateway.errors import SourceError
from gateway.policy import RowScope
from gateway.sources.base import Source
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    AgencyRecord,
    CategoryRecord,
    DispositionRecord,
    FollowUpRecord,
    StatusEventRecord,
)
from resolvers.fanout import call_source
from resolvers.federation import Federation, SourcedComplaint
from resolvers.ids import home_region

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")

SourceKey = tuple[str, str]
"""(source id, code or complaint id): children live in the complaint's own source."""


async def load_grouped(
    keys: Sequence[K],
    route: Callable[[K], Source | None],
    fetch: Callable[[Source, list[K]], Awaitable[dict[K, V]]],
    missing: V,
) -> list[V | SourceError]:
    """Group keys by source, one call per source, results aligned to keys."""
    groups: dict[str, list[K]] = defaultdict(list)
    sources: dict[str, Source] = {}
    for key in dict.fromkeys(keys):
        source = route(key)
        if source is not None:
            groups[source.config.id].append(key)
            sources[source.config.id] = source

    async def fetch_group(source_id: str, group: list[K]) -> dict[K, V | SourceError]:
        try:
            return dict(await call_source(sources[source_id], lambda source: fetch(source, group)))
        except SourceError as error:
            return dict.fromkeys(group, error)

    found: dict[K, V | SourceError] = {}
    for answer in await asyncio.gather(*(fetch_group(*item) for item in groups.items())):
        found.update(answer)
    return [found.get(key, missing) for key in keys]


class _SourceLoader(DataLoader[K, V], Generic[K, V]):
    """A DataLoader whose batches are grouped by source and run in parallel."""

    def __init__(self, federation: Federation, scope: RowScope) -> None:
        super().__init__()
        self.federation = federation
        self.scope = scope


def _by_source(federation: Federation, key: SourceKey) -> Source | None:
    return federation.sources.get(key[0])


def _group_children(
    records: Iterable[R], keys: list[SourceKey], source_id: str, attribute: str
) -> dict[SourceKey, list[R]]:
    grouped: dict[SourceKey, list[R]] = {key: [] for key in keys}
    for record in records:
        grouped[(source_id, getattr(record, attribute))].append(record)
    return grouped


class AgencyByCodeLoader(_SourceLoader[str, AgencyRecord | None]):
    """Agencies by code, from the source owning the agency's region (it may be another tier's)."""

    async def batch_load_fn(self, codes: Sequence[str]) -> list[Any]:
        async def fetch(source: Source, group: list[str]) -> dict[str, AgencyRecord | None]:
            return {record.code: record for record in await source.fetch_agencies(group)}

        regions = self.federation.regions
        return await load_grouped(
            codes, lambda code: self.federation.owner(home_region(code, regions)), fetch, None
        )


class CategoryByCodeLoader(_SourceLoader[SourceKey, CategoryRecord | None]):
    """Categories are agency-maintained lists, so a complaint's category comes from its source."""

    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            records = await source.fetch_categories([code for _, code in group])
            return {(source.config.id, record.code): record for record in records}

        return await load_grouped(keys, lambda key: _by_source(self.federation, key), fetch, None)


class StatusEventsByComplaintLoader(_SourceLoader[SourceKey, list[StatusEventRecord]]):
    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            records = await source.fetch_status_events([cid for _, cid in group], self.scope)
            return _group_children(records, group, source.config.id, "complaint_id")

        return await load_grouped(keys, lambda key: _by_source(self.federation, key), fetch, [])


class DispositionsByComplaintLoader(_SourceLoader[SourceKey, list[DispositionRecord]]):
    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            records = await source.fetch_dispositions([cid for _, cid in group], self.scope)
            return _group_children(records, group, source.config.id, "complaint_id")

        return await load_grouped(keys, lambda key: _by_source(self.federation, key), fetch, [])


class FollowUpsByComplaintLoader(_SourceLoader[SourceKey, list[FollowUpRecord]]):
    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            records = await source.fetch_follow_ups([cid for _, cid in group], self.scope)
            return _group_children(records, group, source.config.id, "complaint_id")

        return await load_grouped(keys, lambda key: _by_source(self.federation, key), fetch, [])


class ComplaintByIdLoader(_SourceLoader[str, SourcedComplaint | None]):
    """Complaints by local id, asked only of the source owning the id's home region, and only
    when that region is inside the caller's scope: out of scope looks exactly like missing."""

    async def batch_load_fn(self, ids: Sequence[str]) -> list[Any]:
        async def fetch(source: Source, group: list[str]) -> dict[str, SourcedComplaint | None]:
            records = await source.fetch_complaints(group, self.scope, COMPLAINT_FIELDS)
            return {record.id: SourcedComplaint(source.config.id, record) for record in records}

        return await load_grouped(ids, self._route, fetch, None)

    def _route(self, local_id: str) -> Source | None:
        region = home_region(local_id, self.federation.regions)
        if region is None or not self.scope.includes_region(region):
            return None
        return self.federation.owner(region)


@dataclass(frozen=True)
class Loaders:
    complaint_by_id: ComplaintByIdLoader
    agency_by_code: AgencyByCodeLoader
    category_by_code: CategoryByCodeLoader
    status_events_by_complaint: StatusEventsByComplaintLoader
    dispositions_by_complaint: DispositionsByComplaintLoader
    follow_ups_by_complaint: FollowUpsByComplaintLoader


def build_loaders(federation: Federation, scope: RowScope) -> Loaders:
    return Loaders(
        complaint_by_id=ComplaintByIdLoader(federation, scope),
        agency_by_code=AgencyByCodeLoader(federation, scope),
        category_by_code=CategoryByCodeLoader(federation, scope),
        status_events_by_complaint=StatusEventsByComplaintLoader(federation, scope),
        dispositions_by_complaint=DispositionsByComplaintLoader(federation, scope),
        follow_ups_by_complaint=FollowUpsByComplaintLoader(federation, scope),
    )
