"""Per-request loaders: one batch per source per tick, whatever the page size.

Every loader groups its keys by owning source and makes one call per source, with the caller's
row scope and the source deadline inside the batch function. A failed source yields a coded
`SourceError` for its keys (an error at that field's path), never a failed request.
"""

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aiodataloader import DataLoader

from gateway.errors import SourceError
from gateway.federation.facts import in_scope
from gateway.federation.fanout import SourceCalls
from gateway.federation.ids import home_region
from gateway.federation.merge import SourcedComplaint
from gateway.federation.reads import Federation
from gateway.policy import RowScope
from gateway.sources.base import Source
from gateway.sources.records import (
    COMPLAINT_FIELDS,
    AgencyRecord,
    CategoryRecord,
    DispositionRecord,
    FollowUpRecord,
    ReporterRecord,
    StatusEventRecord,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

SourceKey = tuple[str, str]
"""(source id, code or complaint id): children live in the complaint's own source."""


async def load_grouped(
    keys: Sequence[K],
    route: Callable[[K], Source | None],
    fetch: Callable[[Source, list[K]], Awaitable[dict[K, V]]],
    missing: V,
    calls: SourceCalls,
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
            return dict(await calls.call(sources[source_id], lambda source: fetch(source, group)))
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

    async def load_grouped(
        self,
        keys: Sequence[K],
        route: Callable[[K], Source | None],
        fetch: Callable[[Source, list[K]], Awaitable[dict[K, V]]],
        missing: V,
    ) -> list[V | SourceError]:
        return await load_grouped(keys, route, fetch, missing, self.federation.calls)

    def owning_source(self, key: SourceKey) -> Source | None:
        """For keys that already name their source (a complaint's children, its category)."""
        return self.federation.sources.get(key[0])


class AgencyByCodeLoader(_SourceLoader[str, AgencyRecord | None]):
    """Agencies by code, from the source owning the agency's region (it may be another tier's)."""

    async def batch_load_fn(self, codes: Sequence[str]) -> list[Any]:
        async def fetch(source: Source, group: list[str]) -> dict[str, AgencyRecord | None]:
            return {record.code: record for record in await source.fetch_agencies(group)}

        regions = self.federation.regions
        return await self.load_grouped(
            codes, lambda code: self.federation.owner(home_region(code, regions)), fetch, None
        )


class CategoryByCodeLoader(_SourceLoader[SourceKey, CategoryRecord | None]):
    """Categories are agency-maintained lists, so a complaint's category comes from its source."""

    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            records = await source.fetch_categories([code for _, code in group])
            return {(source.config.id, record.code): record for record in records}

        return await self.load_grouped(keys, self.owning_source, fetch, None)


class ChildRecord(Protocol):
    @property
    def complaint_id(self) -> str: ...


C = TypeVar("C", bound=ChildRecord)
FetchChildren = Callable[[Source, Sequence[str], RowScope], Awaitable[Sequence[C]]]


class ChildrenByComplaintLoader(_SourceLoader[SourceKey, list[C]]):
    """A complaint's children (history, dispositions, follow-ups), from the complaint's own
    source and only through complaints inside the caller's scope."""

    def __init__(self, federation: Federation, scope: RowScope, fetch: FetchChildren[C]) -> None:
        super().__init__(federation, scope)
        self.fetch_children = fetch

    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, list[C]]:
            records = await self.fetch_children(source, [cid for _, cid in group], self.scope)
            grouped: dict[SourceKey, list[C]] = {key: [] for key in group}
            for record in records:
                # A child of a complaint nobody asked for is the source's mistake: ignored.
                if (key := (source.config.id, record.complaint_id)) in grouped:
                    grouped[key].append(record)
            return grouped

        return await self.load_grouped(keys, self.owning_source, fetch, [])


class ReporterByComplaintLoader(_SourceLoader[SourceKey, ReporterRecord | None]):
    """Reporters of complaints the policy has already cleared; personal data, never cached
    beyond the request."""

    async def batch_load_fn(self, keys: Sequence[SourceKey]) -> list[Any]:
        async def fetch(source: Source, group: list[SourceKey]) -> dict[SourceKey, Any]:
            asked = {complaint_id for _, complaint_id in group}
            records = await source.fetch_reporters(sorted(asked), self.scope)
            return {
                (source.config.id, record.complaint_id): record
                for record in records
                if record.complaint_id in asked
            }

        return await self.load_grouped(keys, self.owning_source, fetch, None)


class ComplaintByIdLoader(_SourceLoader[str, SourcedComplaint | None]):
    """Complaints by local id, asked only of the source owning the region that handles them,
    and only when that region is inside the caller's scope: out of scope looks exactly like
    missing. That region is the id's home region, or, for an id its home source did not
    answer, the one the owner index says the complaint moved to (`owners.py`)."""

    async def batch_load_fn(self, ids: Sequence[str]) -> list[Any]:
        regions = self.federation.regions
        found = await self._load(ids, {key: home_region(key, regions) for key in ids})
        owners = self.federation.owners
        missed = [key for key, value in zip(ids, found, strict=True) if value is None]
        if owners is None or not missed:
            return found
        try:
            moved = await owners.regions_of(missed)
        except SourceError as error:
            return [error if value is None else value for value in found]
        again = dict(zip(moved, await self._load(list(moved), moved), strict=True))
        return [
            again.get(key, value) if value is None else value
            for key, value in zip(ids, found, strict=True)
        ]

    async def _load(self, ids: Sequence[str], handled_in: Mapping[str, str | None]) -> list[Any]:
        async def fetch(source: Source, group: list[str]) -> dict[str, SourcedComplaint | None]:
            records = await source.fetch_complaints(group, self.scope, COMPLAINT_FIELDS)
            return {
                record.id: SourcedComplaint(source.config.id, record)
                for record in records
                if record.id in group and in_scope(self.scope, record)
            }

        def route(local_id: str) -> Source | None:
            return self.federation.owner_in_scope(handled_in.get(local_id), self.scope)

        return await self.load_grouped(ids, route, fetch, None)


@dataclass(frozen=True)
class Loaders:
    complaint_by_id: ComplaintByIdLoader
    agency_by_code: AgencyByCodeLoader
    category_by_code: CategoryByCodeLoader
    status_events_by_complaint: ChildrenByComplaintLoader[StatusEventRecord]
    dispositions_by_complaint: ChildrenByComplaintLoader[DispositionRecord]
    follow_ups_by_complaint: ChildrenByComplaintLoader[FollowUpRecord]
    reporter_by_complaint: ReporterByComplaintLoader


def build_loaders(federation: Federation, scope: RowScope) -> Loaders:
    return Loaders(
        complaint_by_id=ComplaintByIdLoader(federation, scope),
        agency_by_code=AgencyByCodeLoader(federation, scope),
        category_by_code=CategoryByCodeLoader(federation, scope),
        status_events_by_complaint=ChildrenByComplaintLoader(
            federation, scope, lambda source, ids, scope: source.fetch_status_events(ids, scope)
        ),
        dispositions_by_complaint=ChildrenByComplaintLoader(
            federation, scope, lambda source, ids, scope: source.fetch_dispositions(ids, scope)
        ),
        follow_ups_by_complaint=ChildrenByComplaintLoader(
            federation, scope, lambda source, ids, scope: source.fetch_follow_ups(ids, scope)
        ),
        reporter_by_complaint=ReporterByComplaintLoader(federation, scope),
    )
