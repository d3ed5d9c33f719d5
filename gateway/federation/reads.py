"""The federation: the registry's sources, and the fan-out reads the schema needs.

Lists merge by keyset (a k-way merge on (submitted_at, id)); aggregates are grouped in each
source and summed here, so rates come from summed counts, never from averaged rates.
"""

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gateway.disclosure import Cell, sum_cells
from gateway.errors import SourceBadResponseError
from gateway.federation.deadline import keeping_back
from gateway.federation.facts import FACT_COLUMNS, in_scope, well_formed_key
from gateway.federation.fanout import SourceCalls, SourceFailure
from gateway.federation.ids import home_region
from gateway.federation.merge import SourcedComplaint, disordered, merge_pages, read_winners
from gateway.federation.offload import off_loop
from gateway.federation.owners import OwnerIndex
from gateway.federation.planning import overlap, plan_sources
from gateway.policy import RowScope
from gateway.regions import NATIONAL, RegionIndex
from gateway.registry import Registry
from gateway.sources.base import ComplaintCriteria, Dimension, PageRequest, Source
from gateway.sources.records import ComplaintRecord, StatsPart, StatsRow

_PLAN_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class MergedPage:
    rows: list[SourcedComplaint]
    has_next: bool
    total: int | None
    failures: list[SourceFailure]


@dataclass(frozen=True)
class MergedStats:
    cells: list[Cell]
    failures: list[SourceFailure]


class Federation:
    """All sources of a registry, opened and closed together by the app's lifespan."""

    def __init__(
        self,
        registry: Registry,
        sources: Sequence[Source],
        regions: RegionIndex,
        calls: SourceCalls | None = None,
        owners: OwnerIndex | None = None,
    ) -> None:
        self.registry = registry
        self.regions = regions
        self.sources = {source.config.id: source for source in sources}
        self.calls = calls or SourceCalls(self.sources)
        self.owners = owners
        """Where moved complaints are handled now; None: no complaint has moved."""
        self._plans: dict[tuple[object, ...], list[Source]] = {}

    async def open(self) -> None:
        if self.owners is not None:
            await self.owners.open()
        await asyncio.gather(*(source.open() for source in self.sources.values()))

    async def close(self) -> None:
        await asyncio.gather(*(source.close() for source in self.sources.values()))
        if self.owners is not None:
            await self.owners.close()

    def plan(self, criteria: ComplaintCriteria) -> list[Source]:
        """The sources a query needs; the answer depends on four values only, so it is worked
        out once per process for each combination seen (a national plan walks 553 regions)."""
        agency_region = home_region(criteria.agency, self.regions) if criteria.agency else None
        key = (criteria.scope.region, criteria.region, criteria.tier, agency_region)
        plan = self._plans.get(key)
        if plan is None:
            ids = plan_sources(criteria, self.registry, self.regions, agency_region)
            plan = [self.sources[source_id] for source_id in ids]
            if len(self._plans) >= _PLAN_CACHE_LIMIT:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def owner(self, region_code: str | None) -> Source | None:
        owner_id = self.registry.owner_of.get(region_code) if region_code else None
        return self.sources[owner_id] if owner_id else None

    def owner_in_scope(self, region_code: str | None, scope: RowScope) -> Source | None:
        """The source owning complaints handled in `region_code`, when that region is inside
        `scope`; None otherwise, so a source outside the caller's scope is never asked (the
        one routing rule of lookups and writes by id)."""
        if region_code is None or not scope.includes_region(region_code):
            return None
        return self.owner(region_code)

    async def page(self, request: PageRequest, *, with_total: bool) -> MergedPage:
        """The merged page. From one source, its rows in one call; from several, keys first
        (`gateway.federation.merge`): so a provincial page of 100 over 34 sources reads 100
        rows in full, not 3,434."""
        sources = self.plan(request.criteria)
        columns = request.columns | FACT_COLUMNS  # the policy decides on them, here too
        descending = request.order.descending
        keys_first = len(sources) > 1
        # One extra row per source tells whether anything follows the page.
        probe = replace(
            request, limit=request.limit + 1, columns=frozenset() if keys_first else columns
        )
        with keeping_back():
            pages, counts, failures = await self._fetch_page(sources, request, probe, with_total)
        failures = _union(failures, disordered(pages, descending=descending))
        failed = {failure.source_id for failure in failures}
        trusted = {key: rows for key, rows in pages.items() if key not in failed}
        if keys_first:
            # What the first round left, some of it kept back again for the nested lookups:
            # a source that hung through the first round must not starve the second.
            with keeping_back():
                winners = await read_winners(
                    self.calls,
                    self.sources,
                    trusted,
                    limit=request.limit,
                    descending=descending,
                    scope=request.criteria.scope,
                    columns=columns,
                )
            rows, has_next = winners.rows, winners.has_next
            failures = _union(failures, winners.failures)
        else:
            merged = list(
                itertools.islice(merge_pages(trusted, descending=descending), request.limit + 1)
            )
            rows, has_next = merged[: request.limit], len(merged) > request.limit
        failed = {failure.source_id for failure in failures}
        total = sum(count for source_id, count in counts.items() if source_id not in failed)
        return MergedPage(
            rows=rows,
            has_next=has_next,
            total=total if with_total else None,
            failures=failures,
        )

    async def _fetch_page(
        self, sources: list[Source], request: PageRequest, probe: PageRequest, with_total: bool
    ) -> tuple[dict[str, list[ComplaintRecord]], dict[str, int], list[SourceFailure]]:
        pages_task = self.calls.fan_out(
            sources, lambda source: source.fetch_page(probe), key=("page", probe)
        )
        if with_total:
            counts_task = self.calls.fan_out(
                sources,
                lambda source: source.count(request.criteria),
                key=("count", request.criteria),
            )
            (pages, page_failures), (counts, count_failures) = await asyncio.gather(
                pages_task, counts_task
            )
        else:
            pages, page_failures = await pages_task
            counts, count_failures = {}, []
        # Keys carry no facts to check: those rows are checked when read in full.
        checked = _reject_out_of_scope(request, pages) if probe.columns else []
        failures = _union(page_failures, count_failures, checked)
        return pages, counts, failures

    async def stats(
        self,
        criteria: ComplaintCriteria,
        dimensions: Sequence[Dimension],
        split: RowScope | None,
    ) -> MergedStats:
        """Group-by counts from every planned source, summed per bucket, each bucket in parts
        by how the complaints stand to `split` (the caller's own rows)."""
        answers, failures = await self.calls.fan_out(
            self.plan(criteria),
            lambda source: source.fetch_stats(criteria, dimensions, split),
            key=("stats", criteria, tuple(dimensions), split),
        )
        malformed = [
            SourceFailure(source_id, SourceBadResponseError.code)
            for source_id, source_rows in answers.items()
            if not all(well_formed_key(row, dimensions) for row in source_rows)
        ]
        failed = {failure.source_id for failure in malformed}
        rows = (
            row
            for source_id, source_rows in answers.items()
            if source_id not in failed
            for row in _clamp_own(source_rows, split, self.registry.by_id(source_id).covers)
        )
        count = sum(len(source_rows) for source_rows in answers.values())
        cells = await off_loop(count, lambda: sum_cells(rows))
        return MergedStats(cells=cells, failures=_union(failures, malformed))


def _clamp_own(
    rows: list[StatsRow], split: RowScope | None, covers: Sequence[str]
) -> list[StatsRow]:
    """A source's word that rows are the caller's own is taken only where it can be true: for
    a caller who sees everything, every row is; never for the public, nor from a source
    covering nothing inside the caller's scope, where such rows count as protected."""
    if split is not None and split.unbounded:
        return [replace(row, part=StatsPart.OWN) for row in rows]
    possible = split is not None and any(
        cover != NATIONAL and overlap(cover, split.region) for cover in covers
    )
    if possible:
        return rows
    return [
        replace(row, part=StatsPart.PROTECTED) if row.part is StatsPart.OWN else row for row in rows
    ]


def _reject_out_of_scope(
    request: PageRequest, pages: dict[str, list[ComplaintRecord]]
) -> list[SourceFailure]:
    """A source that returns a row outside the scope it was given is not trusted at all."""
    scope = request.criteria.scope
    return [
        SourceFailure(source_id, SourceBadResponseError.code)
        for source_id, records in pages.items()
        if not all(in_scope(scope, record) for record in records)
    ]


def _union(*groups: list[SourceFailure]) -> list[SourceFailure]:
    seen: dict[str, SourceFailure] = {}
    for group in groups:
        for failure in group:
            seen.setdefault(failure.source_id, failure)
    return list(seen.values())
